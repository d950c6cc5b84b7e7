const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delays between attempts, after the first one that is immediate: Svix's schedule (about 27 hours in all). */
export const SVIX_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** The CRD's default for spec.maxAttempts. */
export const DEFAULT_MAX_ATTEMPTS = 10;

export interface RetryPolicy {
  /** Delay after the n-th failed attempt is scheduleMs[n-1]; the last entry repeats. */
  scheduleMs: readonly number[];
  /** Attempts after which a delivery is dead-lettered. */
  maxAttempts: number;
  /** Spread of the random jitter, as a fraction of the delay (0.2: ±20 %). */
  jitter: number;
  /** Longest Retry-After obeyed, so a receiver cannot park a delivery for ever. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  scheduleMs: SVIX_SCHEDULE_MS,
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  jitter: 0.2,
  maxRetryAfterMs: 10 * HOUR,
};

/**
 * How long to wait after `attempts` failed attempts, or undefined when they are exhausted. Jitter spreads
 * the retries of many deliveries that failed together (a receiver outage) so they do not return in a herd.
 * A receiver's Retry-After is a lower bound: never retry earlier than it asked.
 */
export function retryDelay(attempts: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const { scheduleMs } = policy;
  const scheduled = scheduleMs[Math.min(attempts, scheduleMs.length) - 1] ?? 0;
  const jittered = Math.round(scheduled * (1 + policy.jitter * (2 * random() - 1)));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs));
}
