/**
 * A bounded map from token string to its verified contents, kept until shortly before the token expires.
 * A token that verified once verifies the same way until then, so the signature work is skipped on repeats;
 * anything revocable (sessions, roles) is still checked per request elsewhere.
 */
export class VerifiedTokenCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly safetyMs = 1_000,
  ) {}

  get(token: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs - this.safetyMs <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: V, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, expiresAtMs });
  }
}
