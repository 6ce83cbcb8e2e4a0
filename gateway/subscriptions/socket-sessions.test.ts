import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/auth/viewer.js';
import { SocketSessions } from './socket-sessions.js';

class FakeSocket {
  closedWith: [number, string] | null = null;
  constructor(private readonly sessions: SocketSessions<FakeSocket>) {}
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.sessions.remove(this); // as the live server does when a socket closes
  }
}

const viewer = (userId: string, sessionId: string): Viewer => ({ userId, roles: ['USER'], claims: [], sessionId });

describe('SocketSessions', () => {
  it('holds at most maxPerViewer sockets per viewer, counting each viewer apart, and frees a slot on removal', () => {
    const sessions = new SocketSessions<FakeSocket>(2);
    const [a1, a2, a3, b1] = Array.from({ length: 4 }, () => new FakeSocket(sessions));
    expect(sessions.add(a1!, viewer('usr_a', 'sfm_1'))).toBe(true);
    expect(sessions.add(a2!, viewer('usr_a', 'sfm_2'))).toBe(true);
    expect(sessions.add(a3!, viewer('usr_a', 'sfm_1'))).toBe(false);
    expect(sessions.add(b1!, viewer('usr_b', 'sfm_3'))).toBe(true);
    sessions.remove(a1!);
    sessions.remove(a1!); // idempotent
    expect(sessions.countFor('usr_a')).toBe(1);
    expect(sessions.add(a3!, viewer('usr_a', 'sfm_1'))).toBe(true);
  });

  it('closes the sockets of one session family, or of every session of a user', () => {
    const sessions = new SocketSessions<FakeSocket>(10);
    const [a1, a2, a3, b1] = Array.from({ length: 4 }, () => new FakeSocket(sessions));
    sessions.add(a1!, viewer('usr_a', 'sfm_1'));
    sessions.add(a2!, viewer('usr_a', 'sfm_1'));
    sessions.add(a3!, viewer('usr_a', 'sfm_2'));
    sessions.add(b1!, viewer('usr_b', 'sfm_3'));

    expect(sessions.closeSession('sfm_1', 4403, 'Session ended')).toBe(2);
    expect([a1!.closedWith, a2!.closedWith, a3!.closedWith]).toEqual([
      [4403, 'Session ended'],
      [4403, 'Session ended'],
      null,
    ]);
    expect(sessions.closeUser('usr_a', 4403, 'Access changed')).toBe(1);
    expect(a3!.closedWith).toEqual([4403, 'Access changed']);
    expect(b1!.closedWith).toBeNull();
    expect(sessions.countFor('usr_a')).toBe(0);
    expect(sessions.closeUser('usr_a', 4403, 'again')).toBe(0);
  });

  it('refuses an anonymous viewer', () => {
    const sessions = new SocketSessions<FakeSocket>(10);
    expect(sessions.add(new FakeSocket(sessions), { userId: null, roles: [], claims: [], sessionId: null })).toBe(
      false,
    );
  });
});
