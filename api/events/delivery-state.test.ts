import test from "ava";
import { afterAttempt, nextStep, retryRequested } from "./delivery-state.js";
import { DEFAULT_RETRY_POLICY } from "./retry-schedule.js";

const now = new Date("2024-05-01T10:00:00.000Z");
const HOUR = 3_600_000;
const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0 };

test("a new delivery is attempted at once; a retry only when due", (t) => {
  t.deepEqual(nextStep(undefined, now, HOUR), { action: "attempt" });
  t.deepEqual(nextStep({ phase: "Pending" }, now, HOUR), { action: "attempt" });
  t.deepEqual(nextStep({ phase: "Retrying", nextAttemptTime: "2024-05-01T10:00:05.000Z" }, now, HOUR), { action: "wait", ms: 5000 });
  t.deepEqual(nextStep({ phase: "Retrying", nextAttemptTime: "2024-05-01T09:59:00.000Z" }, now, HOUR), { action: "attempt" });
});

test("a delivered record is deleted after the retention period, a dead letter is kept", (t) => {
  t.deepEqual(nextStep({ phase: "Delivered", deliveredTime: "2024-05-01T09:30:00.000Z" }, now, HOUR), { action: "wait", ms: HOUR / 2 });
  t.deepEqual(nextStep({ phase: "Delivered", deliveredTime: "2024-05-01T08:00:00.000Z" }, now, HOUR), { action: "delete" });
  t.deepEqual(nextStep({ phase: "DeadLettered" }, now, HOUR), { action: "none" });
});

test("a failed attempt schedules the next one and records the error", (t) => {
  const transition = afterAttempt({ phase: "Pending", observedGeneration: 1 }, { outcome: "failed", statusCode: 500, error: "HTTP 500" }, now, policy);
  t.deepEqual(transition, {
    status: {
      observedGeneration: 1,
      phase: "Retrying",
      attempts: 1,
      lastAttemptTime: now.toISOString(),
      lastResponseCode: 500,
      nextAttemptTime: "2024-05-01T10:00:05.000Z",
      reason: "AttemptFailed",
      message: "HTTP 500",
    },
    requeueAfterMs: 5000,
  });
});

test("a connection failure after an HTTP error does not keep the old response code", (t) => {
  const previous = afterAttempt(undefined, { outcome: "failed", statusCode: 500, error: "HTTP 500" }, now, policy).status;
  const { status } = afterAttempt(previous, { outcome: "failed", error: "ECONNREFUSED" }, now, policy);
  t.is(status.lastResponseCode, undefined);
  t.is(status.attempts, 2);
});

test("success records when it was delivered and clears the retry time", (t) => {
  const retrying = afterAttempt(undefined, { outcome: "failed", error: "ECONNRESET" }, now, policy).status;
  const { status, requeueAfterMs } = afterAttempt(retrying, { outcome: "delivered", statusCode: 200 }, now, policy);
  t.like(status, { phase: "Delivered", deliveredTime: now.toISOString(), attempts: 2, lastResponseCode: 200 });
  t.is(status.nextAttemptTime, undefined);
  t.is(requeueAfterMs, undefined);
});

test("a refused address dead-letters at once: retrying cannot help", (t) => {
  const { status } = afterAttempt(undefined, { outcome: "refused", error: "10.0.0.1 is in a private range" }, now, policy);
  t.like(status, { phase: "DeadLettered", reason: "AddressRefused", attempts: 1 });
});

test("a retry requested for a dead letter starts a fresh set of attempts and keeps the history", (t) => {
  const dead = { phase: "DeadLettered" as const, attempts: 10, lastResponseCode: 502, reason: "AttemptsExhausted", message: "gave up" };
  t.deepEqual(retryRequested(dead, now), { phase: "Pending", attempts: 0, lastResponseCode: 502, reason: "RetryRequested", message: "retry requested after: gave up" });
});

test("a retry requested for a delivery waiting for its next attempt makes that attempt due now; a delivered one is left alone", (t) => {
  const waiting = { phase: "Retrying" as const, attempts: 2, nextAttemptTime: new Date(now.getTime() + 300_000).toISOString(), reason: "AttemptFailed", message: "HTTP 503" };
  const requested = retryRequested(waiting, now);
  t.like(requested, { phase: "Retrying", attempts: 2, nextAttemptTime: now.toISOString(), reason: "RetryRequested" });
  t.is(nextStep(requested, now, 1000).action, "attempt");
  const delivered = { phase: "Delivered" as const, attempts: 1, deliveredTime: now.toISOString() };
  t.deepEqual(retryRequested(delivered, now), delivered);
});
