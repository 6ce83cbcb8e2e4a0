import { GraphQLError } from 'graphql';
import type { Viewer } from '../../platform/auth/viewer.js';
import { DomainError, ErrorCode, toGraphQLError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ExpirySweeper } from './expiry-sweeper.js';
import type { LiveMetrics } from './live-metrics.js';
import { SocketSessions } from './socket-sessions.js';
import type { WsConnection } from './ws-protocol.js';

/** The access token expired (the client refreshes it and reconnects). */
export const CLOSE_TOKEN_EXPIRED = 4401;
/** The session was signed out, the viewer's access changed, or the token is no longer accepted. */
export const CLOSE_FORBIDDEN = 4403;
/** The viewer already holds the maximum number of sockets (`WS_MAX_SOCKETS_PER_VIEWER`). */
export const CLOSE_TOO_MANY_SOCKETS = 4430;

/** What the gateway keeps per socket once `connection_init` is accepted. */
export interface SocketState {
  viewer: Viewer;
  /** The credential the socket was opened with (`Bearer …`), presented again for every operation. */
  credential: string | null;
  expiresAtMs: number | null;
}

export type LiveConnection = WsConnection<SocketState>;

export interface SocketAuthOptions {
  log: Logger;
  metrics: LiveMetrics;
  /** The credential in `connection_init`'s params (e.g. `authorization: "Bearer …"`), or null. */
  credential(params: Record<string, unknown> | undefined): string | null;
  /** The gateway's HTTP authenticator: verifies the token, applies the rate limits and the revocation checks. */
  authenticate(credential: string | null, ip: string): Promise<{ viewer: Viewer; expiresAt: Date | null }>;
  maxSocketsPerViewer: number;
}

/** A signal that access tokens are no longer valid: one session family (sign-out) or every token of a user. */
export type Revocation = { familyId: string } | { userId: string };

/**
 * Who may hold a socket and run operations on it. `connection_init` is authenticated like an HTTP request
 * and the socket counted against its viewer's cap; every later operation presents the socket's credential
 * to the same authenticator again (revocation, rate limits); a revocation signal closes the viewer's
 * sockets at once; an expired token closes its socket.
 */
export class SocketAuth {
  private readonly sessions: SocketSessions<LiveConnection>;
  private readonly expiries: ExpirySweeper<LiveConnection>;

  constructor(private readonly options: SocketAuthOptions) {
    this.sessions = new SocketSessions(options.maxSocketsPerViewer);
    this.expiries = new ExpirySweeper((connection) =>
      this.close(connection, CLOSE_TOKEN_EXPIRED, 'Access token expired', 'expired'),
    );
  }

  /** `connection_init`: the socket's state, or null to refuse it (closed 4403, or 4430 over the viewer's cap). */
  async connect(connection: LiveConnection, params: Record<string, unknown> | undefined): Promise<SocketState | null> {
    const credential = this.options.credential(params);
    let viewer: Viewer;
    let expiresAt: Date | null;
    try {
      ({ viewer, expiresAt } = await this.options.authenticate(credential, connection.ip));
    } catch (err) {
      if (!(err instanceof DomainError))
        this.options.log.error({ err }, 'websocket authentication failed unexpectedly');
      return null;
    }
    if (!viewer.userId) return null;
    if (!this.sessions.add(connection, viewer)) {
      this.close(
        connection,
        CLOSE_TOO_MANY_SOCKETS,
        `Too many sockets for this viewer (at most ${this.options.maxSocketsPerViewer})`,
        'too_many_sockets',
      );
      return null;
    }
    const expiresAtMs = expiresAt ? expiresAt.getTime() : null;
    if (expiresAtMs !== null) this.expiries.add(connection, expiresAtMs);
    return { viewer, credential, expiresAtMs };
  }

  /**
   * Before each operation on the socket: the same authenticator as an HTTP request. Null when the operation
   * may run; otherwise its errors (RATE_LIMITED with `retryAfterSeconds`), and when the token is no longer
   * valid the socket is closed (4401 expired, 4403 signed out or access changed).
   */
  async authorize(connection: LiveConnection & { state: SocketState }): Promise<readonly GraphQLError[] | null> {
    const { credential, expiresAtMs } = connection.state;
    if (expiresAtMs !== null && expiresAtMs <= Date.now()) {
      this.close(connection, CLOSE_TOKEN_EXPIRED, 'Access token expired', 'expired');
      return [toGraphQLError(new DomainError(ErrorCode.UNAUTHENTICATED, 'Access token expired: refresh it'))];
    }
    try {
      await this.options.authenticate(credential, connection.ip);
      return null;
    } catch (err) {
      if (!(err instanceof DomainError)) {
        this.options.log.error({ err }, 'websocket operation authentication failed unexpectedly');
        return [new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })];
      }
      if (err.code === ErrorCode.UNAUTHENTICATED) this.close(connection, CLOSE_FORBIDDEN, err.message, 'revoked');
      return [toGraphQLError(err)];
    }
  }

  /**
   * In-band token refresh (`ping` with `{ accessToken }`): a valid token of the same user becomes the socket's
   * credential (its expiry, session family and viewer) and the answer is `{ expiresAt }`; a token the
   * authenticator refuses leaves the socket as it was and answers `{ error: { code, message } }`; a token of
   * another user closes the socket (4403) and answers nothing (null).
   */
  async refresh(
    connection: LiveConnection & { state: SocketState },
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown> | null> {
    const credential = this.options.credential(params);
    let viewer: Viewer;
    let expiresAt: Date | null;
    try {
      ({ viewer, expiresAt } = await this.options.authenticate(credential, connection.ip));
    } catch (err) {
      if (err instanceof DomainError) return { error: { code: err.code, message: err.message } };
      this.options.log.error({ err }, 'websocket token refresh failed unexpectedly');
      return { error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } };
    }
    if (!connection.open) return null;
    if (!viewer.userId) return { error: { code: ErrorCode.UNAUTHENTICATED, message: 'Sign in: no access token' } };
    if (viewer.userId !== connection.state.viewer.userId) {
      this.close(connection, CLOSE_FORBIDDEN, 'Access token of another user', 'refused');
      return null;
    }
    // same user: the socket keeps its place under the cap, now known by the new token's session family
    this.sessions.remove(connection);
    this.sessions.add(connection, viewer);
    this.expiries.remove(connection);
    const expiresAtMs = expiresAt ? expiresAt.getTime() : null;
    if (expiresAtMs !== null) this.expiries.add(connection, expiresAtMs);
    connection.state.viewer = viewer;
    connection.state.credential = credential;
    connection.state.expiresAtMs = expiresAtMs;
    return { expiresAt: expiresAt ? expiresAt.toISOString() : null };
  }

  /** A revocation signal (from any gateway's identity subgraph): close the sockets it concerns with 4403. */
  revoked(revocation: Revocation): number {
    const closed =
      'familyId' in revocation
        ? this.sessions.closeSession(revocation.familyId, CLOSE_FORBIDDEN, 'Session ended: sign in again')
        : this.sessions.closeUser(revocation.userId, CLOSE_FORBIDDEN, 'Access changed: refresh your session');
    if (closed) this.options.metrics.closed.inc({ reason: 'revoked' }, closed);
    return closed;
  }

  /** The socket closed (by either side). */
  closed(connection: LiveConnection): void {
    this.sessions.remove(connection);
    this.expiries.remove(connection);
  }

  start(): void {
    this.expiries.start();
  }

  stop(): void {
    this.expiries.stop();
  }

  private close(connection: LiveConnection, code: number, reason: string, metric: string): void {
    this.options.metrics.closed.inc({ reason: metric });
    connection.close(code, reason);
  }
}
