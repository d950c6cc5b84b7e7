/**
 * Token buckets per client: `burst` requests at once, refilled at `perSecond`. Idle full buckets are
 * dropped, so the map holds only clients seen recently.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private prunedAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `client`; 0 when allowed, otherwise the milliseconds until a token is available. */
  take(client: string): number {
    const now = this.now();
    this.prune(now);
    const bucket = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
  }

  /** At most once per refill period: a bucket idle that long is full, the same as no bucket. */
  private prune(now: number): void {
    const refillMs = (this.burst / this.perSecond) * 1000;
    if (now - this.prunedAt < refillMs) return;
    this.prunedAt = now;
    for (const [client, bucket] of this.buckets) if (now - bucket.at > refillMs) this.buckets.delete(client);
  }
}
