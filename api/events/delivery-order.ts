import type { EventDelivery } from "../../crds/types/index.js";

/**
 * Order per event aggregate: the deliveries of one entity's events (a pipeline run created, started,
 * succeeded) to one subscriber go out in event order, each waiting until the earlier ones are Delivered or
 * DeadLettered. Everything else is concurrent. Ties in event time are broken by name, so all replicas and
 * restarts agree on the order.
 */

/** Index of the informer: deliveries of one (subscriber, aggregate). */
export const ORDER_INDEX = "subscriber-aggregate";

export function orderGroup(delivery: EventDelivery): string[] {
  const aggregate = delivery.spec.event.aggregate;
  return aggregate === undefined ? [] : [`${delivery.spec.subscriber.name}/${aggregate}`];
}

/** Delivered or given up on: no longer holds back the later events of its aggregate. */
export function isSettled(delivery: EventDelivery): boolean {
  return delivery.status?.phase === "Delivered" || delivery.status?.phase === "DeadLettered";
}

function precedes(a: EventDelivery, b: EventDelivery): boolean {
  const at = Date.parse(a.spec.event.timestamp) - Date.parse(b.spec.event.timestamp);
  return at < 0 || (at === 0 && a.metadata!.name! < b.metadata!.name!);
}

/** True while an earlier delivery of the same group is unsettled. */
export function isWaitingBehind(delivery: EventDelivery, group: readonly EventDelivery[]): boolean {
  return group.some((other) => !isSettled(other) && precedes(other, delivery));
}

/** The delivery of the group that goes next, if any. */
export function nextInLine(group: readonly EventDelivery[]): EventDelivery | undefined {
  return group.filter((d) => !isSettled(d)).reduce<EventDelivery | undefined>((first, d) => (first === undefined || precedes(d, first) ? d : first), undefined);
}
