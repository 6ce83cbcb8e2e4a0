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
 * Fixed one-minute windows in Redis, per viewer and per client IP, checked in one round trip together with
 * the access-token revocation keys (so authentication and limiting cost one Redis call per request).
 */
export class RateLimiter {
  constructor(private readonly options: RateLimiterOptions) {}

  async check(ip: string, viewerId: string | null, extraGets: string[] = []): Promise<{ decision: RateLimitDecision; values: (string | null)[] }> {
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    const { redis, prefix } = this.options;
    const ipKey = `${prefix}rl:ip:${ip}:${window}`;
    const pipeline = redis.pipeline().incr(ipKey).expire(ipKey, 61);
    const viewerKey = viewerId ? `${prefix}rl:viewer:${viewerId}:${window}` : null;
    if (viewerKey) pipeline.incr(viewerKey).expire(viewerKey, 61);
    for (const key of extraGets) pipeline.get(key);
    const results = (await pipeline.exec()) ?? [];
    const value = (i: number) => results[i]?.[1];
    const ipCount = Number(value(0));
    const viewerCount = viewerKey ? Number(value(2)) : 0;
    const values = extraGets.map((_, i) => (value((viewerKey ? 4 : 2) + i) as string | null) ?? null);
    if (viewerKey && viewerCount > this.options.viewerPerMinute) return { decision: { allowed: false, retryAfterSeconds, scope: 'viewer' }, values };
    if (ipCount > this.options.ipPerMinute) return { decision: { allowed: false, retryAfterSeconds, scope: 'ip' }, values };
    return { decision: { allowed: true, retryAfterSeconds: 0, scope: null }, values };
  }
}
