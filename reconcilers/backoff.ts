/** Exponential delay for the n-th consecutive failure (n from 0): base·2ⁿ, capped. */
export function exponentialDelay(failures: number, baseMs: number, capMs: number): number {
  // 2^failures overflows to Infinity long after it passed any cap; Math.min keeps that harmless.
  return Math.min(baseMs * 2 ** failures, capMs);
}

/** Resolves after `ms`, or early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Waits between retries: longer after each consecutive failure, from the start after `reset` (client-go's BackoffManager). */
export interface Backoff {
  wait(signal: AbortSignal): Promise<void>;
  reset(): void;
}

/** base·2ⁿ after n consecutive failures, capped, with jitter so that clients that failed together do not retry together. */
export class ExponentialBackoff implements Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs = 200,
    private readonly capMs = 30_000,
  ) {}

  wait(signal: AbortSignal): Promise<void> {
    return sleep(exponentialDelay(this.failures++, this.baseMs, this.capMs) * (0.5 + Math.random() / 2), signal);
  }

  reset(): void {
    this.failures = 0;
  }
}
