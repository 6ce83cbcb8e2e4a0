import type { Redis } from '../../platform/redis.js';

export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  scope: 'viewer' | 'ip' | null;
}

export interface RateLimiterOptions {
  redis: Redis;
  prefix: string;
  viewerPerMinute: number;
  ipPerMinute: number;
}

/**
 * Fixed one-minute windows in Redis, checked in one round trip together with the access-token revocation
 * keys (so authentication and limiting cost one Redis call per request). Signed-in traffic is counted per
 * viewer only, anonymous traffic per client IP: thousands of users behind one carrier-grade NAT address
 * each keep their own allowance, while one address cannot use more than its share anonymously.
 */
export class RateLimiter {
  constructor(private readonly options: RateLimiterOptions) {}

  /** Counts one request of `viewerId` (or, anonymous, of `ip`) and reads `extraGets` in the same round trip. */
  async check(
    ip: string,
    viewerId: string | null,
    extraGets: string[] = [],
  ): Promise<{ decision: RateLimitDecision; values: (string | null)[] }> {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    const { redis, prefix } = this.options;
    const [scope, key, max] = viewerId
      ? (['viewer', `${prefix}rl:viewer:${viewerId}:${window}`, this.options.viewerPerMinute] as const)
      : (['ip', `${prefix}rl:ip:${ip}:${window}`, this.options.ipPerMinute] as const);
    const pipeline = redis.pipeline().incr(key).expire(key, 61);
    for (const extra of extraGets) pipeline.get(extra);
    const results = (await pipeline.exec()) ?? [];
    const count = Number(results[0]?.[1]);
    const values = extraGets.map((_, i) => (results[2 + i]?.[1] as string | null) ?? null);
    if (count > max) return { decision: { allowed: false, retryAfterSeconds, scope }, values };
    return { decision: { allowed: true, retryAfterSeconds: 0, scope: null }, values };
  }
}
