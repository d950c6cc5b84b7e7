import test from "ava";
import fc from "fast-check";
import { parseRetryAfter } from "./retry-after.js";
import { DEFAULT_RETRY_POLICY, retryDelay, SVIX_SCHEDULE_MS } from "./retry-schedule.js";

const noJitter = () => 0.5;

test("follows Svix's schedule after the immediate first attempt, then repeats its last step", (t) => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempts) => retryDelay(attempts, DEFAULT_RETRY_POLICY, undefined, noJitter));
  t.deepEqual(delays, [...SVIX_SCHEDULE_MS, 36_000_000, 36_000_000]);
  t.is(SVIX_SCHEDULE_MS[0], 5_000);
});

test("stops once the attempts are used up", (t) => {
  t.is(retryDelay(10, DEFAULT_RETRY_POLICY), undefined);
  t.is(retryDelay(3, { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 }), undefined);
});

test("jitter stays within its spread around the scheduled delay", (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
      const scheduled = retryDelay(attempts, DEFAULT_RETRY_POLICY, undefined, noJitter)!;
      const delay = retryDelay(attempts, DEFAULT_RETRY_POLICY, undefined, () => r)!;
      return delay >= Math.floor(scheduled * 0.8) && delay <= Math.ceil(scheduled * 1.2);
    }),
  );
  t.pass();
});

test("Retry-After delays a retry past the schedule, up to a cap, but never hastens it", (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0 };
  t.is(retryDelay(1, policy, 60_000), 60_000);
  t.is(retryDelay(1, policy, 1_000), 5_000);
  t.is(retryDelay(1, policy, 48 * 3_600_000), policy.maxRetryAfterMs);
});

test("reads Retry-After as seconds or as an HTTP date", (t) => {
  const now = new Date("2024-05-01T10:00:00Z");
  t.is(parseRetryAfter("120", now), 120_000);
  t.is(parseRetryAfter("Wed, 01 May 2024 10:00:30 GMT", now), 30_000);
  t.is(parseRetryAfter("Wed, 01 May 2024 09:00:00 GMT", now), 0);
  t.is(parseRetryAfter("soon", now), undefined);
  t.is(parseRetryAfter("-5", now), undefined);
  t.is(parseRetryAfter(undefined, now), undefined);
});
