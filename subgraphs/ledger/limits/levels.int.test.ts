import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../../platform/bus/envelope.js';
import { applyDirectoryEvent } from '../directory/directory.consumer.js';
import { startLedgerFixture, type LedgerFixture } from '../testing/ledger-fixture.js';

/** The ledger's copy of each user's level, from identity.user.level-changed: newest fact wins, each event once. */
let f: LedgerFixture;

beforeAll(async () => {
  f = await startLedgerFixture();
});

afterAll(async () => {
  await f?.close();
});

function levelChanged(userId: string, from: number, to: unknown, at: string) {
  return { ...makeEvent('identity.user.level-changed', 'identity', { userId, from, to }), occurredAt: at };
}

describe('user levels in the ledger directory', () => {
  it('applies the newest level change whatever the order of arrival, and ignores malformed ones', async () => {
    const deps = { orm: f.running.deps.orm };
    const userId = await f.addUser();
    expect(await f.services.directory.levelOf(f.em(), userId)).toBe(1);

    await applyDirectoryEvent(deps, f.services.directory, levelChanged(userId, 2, 3, '2026-12-07T10:00:02Z'));
    // an older change arriving late does not lower it
    await applyDirectoryEvent(deps, f.services.directory, levelChanged(userId, 1, 2, '2026-12-07T10:00:01Z'));
    expect(await f.services.directory.levelOf(f.em(), userId)).toBe(3);
    await applyDirectoryEvent(deps, f.services.directory, levelChanged(userId, 3, 'x', '2026-12-07T10:00:05Z'));
    await applyDirectoryEvent(deps, f.services.directory, levelChanged(userId, 3, 0, '2026-12-07T10:00:05Z'));
    expect(await f.services.directory.levelOf(f.em(), userId)).toBe(3);
    await applyDirectoryEvent(deps, f.services.directory, levelChanged(userId, 3, 1, '2026-12-07T10:00:03Z'));
    expect(await f.services.directory.levelOf(f.em(), userId)).toBe(1);

    // a user the ledger did not know yet is recorded with their level (and can receive transfers)
    const later = 'usr_levelfirst';
    await applyDirectoryEvent(deps, f.services.directory, levelChanged(later, 1, 2, '2026-12-07T10:00:00Z'));
    expect(await f.services.directory.levelOf(f.em(), later)).toBe(2);
    expect(await f.services.directory.exists(f.em(), later)).toBe(true);
  });
});
