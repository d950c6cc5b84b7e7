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
