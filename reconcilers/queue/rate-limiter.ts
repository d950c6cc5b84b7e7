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
