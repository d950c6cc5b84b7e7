import type { Subscriber as SubscriberResource } from "../../crds/types/index.js";
import type { Subscriber } from "./recording.js";

export const SUBSCRIBER = { apiVersion: "orchest.io/v1alpha1", kind: "Subscriber" } as const;

/** Set on a Subscriber whose receiver answered 410 Gone. */
export const DISABLED_CONDITION = "Disabled";

/**
 * Disabled for the spec it was disabled under: editing the spec (a new URL, say) bumps the generation and
 * so re-enables the subscriber without anyone having to clear the condition.
 */
export function isDisabled(resource: SubscriberResource): boolean {
  const disabled = resource.status?.conditions?.find((condition) => condition.type === DISABLED_CONDITION);
  return disabled?.status === "True" && disabled.observedGeneration === resource.metadata?.generation;
}

/** The custom resource as recording sees it. */
export function subscriberOf(resource: SubscriberResource): Subscriber {
  const name = resource.metadata!.name!;
  const { webhook, analytics } = resource.spec;
  if (analytics) return { kind: "Analytics", name, installId: analytics.installId };
  if (!webhook) throw new Error(`Subscriber ${name} has neither spec.webhook nor spec.analytics`);
  const { projectUuid, jobUuid } = webhook.scope ?? {};
  return {
    kind: "Webhook",
    name,
    url: webhook.url,
    secretRef: webhook.secretRef,
    subscription: {
      eventTypes: webhook.eventTypes,
      scope:
        projectUuid === undefined ? { kind: "all" } : jobUuid === undefined ? { kind: "project", projectUuid } : { kind: "job", projectUuid, jobUuid },
    },
    ...(webhook.format === undefined ? {} : { format: webhook.format }),
    ...(webhook.maxAttempts === undefined ? {} : { maxAttempts: webhook.maxAttempts }),
    disabled: isDisabled(resource),
  };
}
