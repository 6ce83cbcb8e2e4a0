import { describe, expect, it } from 'vitest';
import { BackoffLoop, exponentialBackoff, raceRetryPolicy } from './backoff.js';

describe('back-off', () => {
  it('grows ×2 per failure with equal jitter (each delay in [step/2, step]) up to the cap, and starts over on reset', () => {
    for (let run = 0; run < 50; run++) {
      const loop = new BackoffLoop({ initialMs: 100, maxMs: 1_000 });
      const steps = [100, 200, 400, 800, 1_000, 1_000];
      for (const step of steps) {
        const delay = loop.next();
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThanOrEqual(step);
      }
      loop.reset();
      expect(loop.next()).toBeLessThanOrEqual(100);
    }
  });

  it('is a cockatiel back-off factory, so retry policies use the same style', () => {
    const first = exponentialBackoff({ initialMs: 40, maxMs: 60 }).next(undefined);
    const second = first.next(undefined);
    const third = second.next(undefined);
    expect(first.duration).toBeGreaterThanOrEqual(20);
    expect(first.duration).toBeLessThanOrEqual(40);
    expect(second.duration).toBeGreaterThanOrEqual(30);
    expect(third.duration).toBeLessThanOrEqual(60);
  });
});

describe('raceRetryPolicy', () => {
  const race = Object.assign(new Error('could not serialize access'), { code: '40001' });
  const isRace = (err: unknown) => (err as { code?: string }).code === '40001';

  it('runs work that lost a race again, up to the given number of retries, then gives up with the last error', async () => {
    let calls = 0;
    const policy = raceRetryPolicy(3, isRace, { initialMs: 1, maxMs: 2 });
    await expect(
      policy.execute(() => {
        calls++;
        throw race;
      }),
    ).rejects.toBe(race);
    expect(calls).toBe(4);
    calls = 0;
    expect(await policy.execute(() => (++calls < 3 ? Promise.reject(race) : Promise.resolve('done')))).toBe('done');
    expect(calls).toBe(3);
  });

  it('fails at once on any other error', async () => {
    let calls = 0;
    const other = new Error('check violation');
    await expect(
      raceRetryPolicy(3, isRace).execute(() => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
