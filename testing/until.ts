/**
 * Polls `read` every 50 ms until `ok` accepts its value, and returns that value; after `ms` it throws, naming
 * `what` and the last value seen. For end-to-end tests that wait for something asynchronous (an event consumed,
 * a projection updated, a message delivered) without a fixed sleep.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T> | T,
  ok: (v: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${describe(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return String(v);
  }
}
