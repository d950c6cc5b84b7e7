import type { EventScope } from "./event.js";
import { matchesPattern } from "./event-pattern.js";

/** Which events of which entities a subscriber hears about. */
export type SubscriptionScope =
  | { kind: "all" }
  | { kind: "project"; projectUuid: string }
  | { kind: "job"; projectUuid: string; jobUuid: string };

export interface Subscription {
  /** Event-type patterns, see matchesPattern. */
  eventTypes: readonly string[];
  scope: SubscriptionScope;
}

/** What a subscription needs to know of an event; OrchestEvent has both. */
export interface EventFacts {
  type: string;
  scope: EventScope;
}

/** The analytics subscriber: every event, everywhere. */
export const EVERYTHING: Subscription = { eventTypes: ["*"], scope: { kind: "all" } };

export function wants(subscription: Subscription, event: EventFacts): boolean {
  return subscription.eventTypes.some((pattern) => matchesPattern(pattern, event.type)) && inScope(subscription.scope, event.scope);
}

function inScope(scope: SubscriptionScope, of: EventScope): boolean {
  switch (scope.kind) {
    case "all":
      return true;
    case "project":
      return of.projectUuid === scope.projectUuid;
    case "job":
      return of.projectUuid === scope.projectUuid && of.jobUuid === scope.jobUuid;
  }
}
