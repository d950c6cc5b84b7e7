import { exponentialDelay } from "../backoff.js";

/** Decides how long a failing item waits before its next try. */
export interface RateLimiter {
  when(item: string): number;
  forget(item: string): void;
  failures(item: string): number;
}

/**
 * client-go's per-item exponential limiter: 5 ms, 10 ms, 20 ms ... doubling per consecutive failure of the
 * same item, capped (default 1000 s ≈ 16.7 min, controller-runtime's default); `forget` on success resets it.
 */
export class ExponentialRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly capMs = 1000_000,
  ) {}

  when(item: string): number {
    const failures = this.counts.get(item) ?? 0;
    this.counts.set(item, failures + 1);
    return exponentialDelay(failures, this.baseMs, this.capMs);
  }

  forget(item: string): void {
    this.counts.delete(item);
  }

  failures(item: string): number {
    return this.counts.get(item) ?? 0;
  }
}

/**
 * client-go's overall limiter: a token bucket shared by every item (qps refilled per second, up to burst),
 * so that many items failing at once are retried at a bounded rate, not all together.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  when(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(): void {}

  failures(): number {
    return 0;
  }
}

/** The longest delay of several limiters; forget and failures go to all of them. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(item: string): number {
    return Math.max(...this.limiters.map((limiter) => limiter.when(item)));
  }

  forget(item: string): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  failures(item: string): number {
    return Math.max(...this.limiters.map((limiter) => limiter.failures(item)));
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per item 5 ms doubling to 1000 s, overall 10 per second with bursts
 * of 100. `now` is the bucket's clock (milliseconds).
 */
export function defaultControllerRateLimiter(now?: () => number): RateLimiter {
  return new MaxOfRateLimiter(new ExponentialRateLimiter(), new BucketRateLimiter(10, 100, now));
}
