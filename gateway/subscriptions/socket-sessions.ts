import type { Viewer } from '../../platform/auth/viewer.js';

/** What the registry needs of a socket: whose it is, and how to close it. */
export interface SessionSocket {
  close(code: number, reason: string): void;
}

/**
 * The open sockets of this process by viewer and by session family, so a sign-out (family) or an access
 * change (user) can close exactly that viewer's sockets, and so each viewer holds at most `maxPerViewer`.
 */
export class SocketSessions<S extends SessionSocket> {
  private readonly byUser = new Map<string, Set<S>>();
  private readonly bySession = new Map<string, Set<S>>();
  private readonly viewers = new WeakMap<S, Viewer>();

  constructor(private readonly maxPerViewer: number) {}

  /** Registers a socket for its viewer; false (nothing registered) when the viewer already holds the maximum. */
  add(socket: S, viewer: Viewer): boolean {
    if (!viewer.userId) return false;
    const mine = this.byUser.get(viewer.userId);
    if (mine && mine.size >= this.maxPerViewer) return false;
    addTo(this.byUser, viewer.userId, socket);
    if (viewer.sessionId) addTo(this.bySession, viewer.sessionId, socket);
    this.viewers.set(socket, viewer);
    return true;
  }

  remove(socket: S): void {
    const viewer = this.viewers.get(socket);
    if (!viewer) return;
    this.viewers.delete(socket);
    removeFrom(this.byUser, viewer.userId!, socket);
    if (viewer.sessionId) removeFrom(this.bySession, viewer.sessionId, socket);
  }

  countFor(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Closes every socket of a user (their access changed); returns how many. */
  closeUser(userId: string, code: number, reason: string): number {
    return closeAll(this.byUser.get(userId), code, reason);
  }

  /** Closes every socket opened with a token of this session family (signed out); returns how many. */
  closeSession(familyId: string, code: number, reason: string): number {
    return closeAll(this.bySession.get(familyId), code, reason);
  }
}

function addTo<S>(index: Map<string, Set<S>>, key: string, socket: S): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(socket);
}

function removeFrom<S>(index: Map<string, Set<S>>, key: string, socket: S): void {
  const set = index.get(key);
  set?.delete(socket);
  if (set?.size === 0) index.delete(key);
}

function closeAll<S extends SessionSocket>(sockets: Set<S> | undefined, code: number, reason: string): number {
  if (!sockets) return 0;
  const list = [...sockets]; // closing removes them from the set
  for (const socket of list) socket.close(code, reason);
  return list.length;
}
