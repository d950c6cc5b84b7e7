import { eventDeliveryResource, type EventDelivery } from "../../crds/types/index.js";
import { deliveryName } from "./delivery-name.js";
import type { OrchestEvent } from "./event.js";
import { wants, type Subscription } from "./subscription.js";
import { formatForUrl, type WebhookFormat } from "./webhook-body.js";

export type Subscriber =
  | {
      kind: "Webhook";
      name: string;
      url: string;
      /** Secret (in the deliveries' namespace) holding the Standard Webhooks signing secret. */
      secretRef: { name: string; key?: string };
      subscription: Subscription;
      /** Default: from the URL, as Orchest did (Slack, Discord and Teams hooks are recognised). */
      format?: WebhookFormat;
      /** Set after a receiver answered 410 Gone. */
      disabled?: boolean;
      maxAttempts?: number;
    }
  /** Subscribed to everything; gets the telemetry payload, sent as this install. */
  | { kind: "Analytics"; name: string; installId: string };

export interface RecordingOptions {
  namespace: string;
  /** From the OrchestCluster: with telemetry off, no analytics delivery is even created. */
  telemetryEnabled: boolean;
}

/**
 * The EventDeliveries that recording `event` creates: one per subscriber that wants it, each with a
 * snapshot of its payload taken now. Their names depend on (event id, subscriber) only, so creating them
 * again after a crash is refused by the API server as AlreadyExists: recorded twice, delivered once.
 */
export function deliveriesFor(event: OrchestEvent, subscribers: readonly Subscriber[], options: RecordingOptions): EventDelivery[] {
  const aggregate = event.aggregate;
  const record = { id: event.id, type: event.type, timestamp: event.timestamp.toISOString(), ...(aggregate === undefined ? {} : { aggregate }) };
  return subscribers.flatMap((subscriber): EventDelivery[] => {
    if (subscriber.kind === "Analytics") {
      if (!options.telemetryEnabled) return [];
      return [
        newDelivery(options.namespace, {
          event: { ...record, payload: { ...event.telemetryPayload() } },
          subscriber: { name: subscriber.name, type: "Analytics", installId: subscriber.installId },
        }),
      ];
    }
    if (subscriber.disabled || !wants(subscriber.subscription, event)) return [];
    return [
      newDelivery(options.namespace, {
        event: { ...record, payload: event.notificationPayload() },
        subscriber: { name: subscriber.name, type: "Webhook", url: subscriber.url, secretRef: subscriber.secretRef, format: subscriber.format ?? formatForUrl(subscriber.url) },
        ...(subscriber.maxAttempts === undefined ? {} : { maxAttempts: subscriber.maxAttempts }),
      }),
    ];
  });
}

/** The EventDelivery of `spec`, named after (event id, subscriber). */
export function newDelivery(namespace: string, spec: EventDelivery["spec"]): EventDelivery {
  return {
    apiVersion: eventDeliveryResource.apiVersion,
    kind: eventDeliveryResource.kind,
    metadata: { name: deliveryName(spec.event.id, spec.subscriber.name), namespace },
    spec,
  };
}
