import type { Viewer } from '../platform/auth/viewer.js';

/** The gateway's per-request context (HTTP and WebSocket follow-up executions alike). */
export interface GatewayContext {
  viewer: Viewer;
  requestId: string;
  /** graphql-shield's per-request rule cache. */
  _shield: { cache: Record<string, unknown> };
}
