import type { EventDeliveryStatus } from "../../crds/types/index.js";
import type { AttemptResult } from "./delivery-client.js";
import { retryDelay, type RetryPolicy } from "./retry-schedule.js";

/**
 * The EventDelivery state machine, pure: Pending → (Retrying →)* Delivered or DeadLettered. The reconciler
 * asks `nextStep`, makes the attempt it is told to, and writes what `afterAttempt` returns.
 */
export type NextStep =
  | { action: "attempt" }
  /** Nothing to do until then: requeue after `ms` (a retry coming due, or a delivered record expiring). */
  | { action: "wait"; ms: number }
  /** Delivered long enough ago: delete the record so etcd does not grow without bound. */
  | { action: "delete" }
  /** Dead-lettered: kept for inspection until a retry is requested. */
  | { action: "none" };

export interface Transition {
  status: EventDeliveryStatus;
  /** Set when the delivery is Retrying: reconcile again after this long. */
  requeueAfterMs?: number;
  /** The receiver answered 410 Gone: disable the subscriber so that no further deliveries are made to it. */
  disableSubscriber?: true;
}

export function nextStep(status: EventDeliveryStatus | undefined, now: Date, retentionMs: number): NextStep {
  switch (status?.phase) {
    case undefined:
    case "Pending":
      return { action: "attempt" };
    case "Retrying": {
      const ms = msUntil(status.nextAttemptTime, now);
      return ms > 0 ? { action: "wait", ms } : { action: "attempt" };
    }
    case "Delivered": {
      const ms = msUntil(status.deliveredTime, now) + retentionMs;
      return ms > 0 ? { action: "wait", ms } : { action: "delete" };
    }
    case "DeadLettered":
      return { action: "none" };
  }
}

/** The status after one attempt. `random` feeds the retry jitter. */
export function afterAttempt(
  previous: EventDeliveryStatus | undefined,
  result: AttemptResult,
  now: Date,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Transition {
  const attempts = (previous?.attempts ?? 0) + 1;
  const base: EventDeliveryStatus = {
    ...(previous?.observedGeneration === undefined ? {} : { observedGeneration: previous.observedGeneration }),
    ...(previous?.conditions ? { conditions: previous.conditions } : {}),
    attempts,
    lastAttemptTime: now.toISOString(),
    ...("statusCode" in result && result.statusCode !== undefined ? { lastResponseCode: result.statusCode } : {}),
  };
  switch (result.outcome) {
    case "delivered":
      return {
        status: { ...base, phase: "Delivered", deliveredTime: now.toISOString(), reason: "Delivered", message: `HTTP ${result.statusCode} on attempt ${attempts}` },
      };
    case "gone":
      return {
        status: { ...base, phase: "DeadLettered", reason: "SubscriberGone", message: "HTTP 410 Gone: the receiver retired this endpoint; the subscriber is disabled" },
        disableSubscriber: true,
      };
    case "refused":
      return { status: { ...base, phase: "DeadLettered", reason: "AddressRefused", message: result.error } };
    case "failed": {
      const delay = retryDelay(attempts, policy, result.retryAfterMs, random);
      if (delay === undefined) {
        return {
          status: { ...base, phase: "DeadLettered", reason: "AttemptsExhausted", message: `gave up after ${attempts} attempts; last error: ${result.error}` },
        };
      }
      return {
        status: { ...base, phase: "Retrying", nextAttemptTime: new Date(now.getTime() + delay).toISOString(), reason: "AttemptFailed", message: result.error },
        requeueAfterMs: delay,
      };
    }
  }
}

/**
 * A retry requested by annotation: a dead letter goes back to the queue with a fresh set of attempts, a delivery
 * waiting for its next attempt is attempted now (its endpoint is back, say); history is kept. Others are as they are.
 */
export function retryRequested(status: EventDeliveryStatus | undefined, now: Date): EventDeliveryStatus {
  if (status?.phase === "Retrying") return { ...status, nextAttemptTime: now.toISOString(), reason: "RetryRequested", message: `retry requested after: ${status.message ?? status.reason}` };
  if (status?.phase !== "DeadLettered") return { ...status };
  const { nextAttemptTime: _, deliveredTime: __, ...rest } = status;
  return { ...rest, phase: "Pending", attempts: 0, reason: "RetryRequested", message: `retry requested after: ${status.message ?? status.reason ?? "no error"}` };
}

function msUntil(time: string | undefined, now: Date): number {
  const at = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(at) ? 0 : at - now.getTime();
}
