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
  /** Subscribed to everything; gets the telemetry payload. */
  | { kind: "Analytics"; name: string };

export interface RecordingOptions {
  namespace: string;
  /** From the OrchestCluster: with telemetry off, no analytics delivery is even created. */
  telemetryEnabled: boolean;
}

/**
 * Until the EventDelivery CRD has a field for it, the message shape travels as an annotation, so that
 * delivering never needs to look the subscriber up.
 */
export const WEBHOOK_FORMAT_ANNOTATION = "orchest.io/webhook-format";

/**
 * The EventDeliveries that recording `event` creates: one per subscriber that wants it, each with a
 * snapshot of its payload taken now. Their names depend on (event id, subscriber) only, so creating them
 * again after a crash is refused by the API server as AlreadyExists: recorded twice, delivered once.
 */
export function deliveriesFor(event: OrchestEvent, subscribers: readonly Subscriber[], options: RecordingOptions): EventDelivery[] {
  const record = { id: event.id, type: event.type, timestamp: event.timestamp.toISOString() };
  const delivery = (subscriber: Subscriber, annotations: Record<string, string>, spec: EventDelivery["spec"]): EventDelivery => ({
    apiVersion: eventDeliveryResource.apiVersion,
    kind: eventDeliveryResource.kind,
    metadata: { name: deliveryName(event.id, subscriber.name), namespace: options.namespace, annotations },
    spec,
  });
  return subscribers.flatMap((subscriber): EventDelivery[] => {
    if (subscriber.kind === "Analytics") {
      if (!options.telemetryEnabled) return [];
      return [
        delivery(subscriber, {}, {
          event: { ...record, payload: { ...event.telemetryPayload() } },
          subscriber: { name: subscriber.name, type: "Analytics" },
        }),
      ];
    }
    if (subscriber.disabled || !wants(subscriber.subscription, event)) return [];
    return [
      delivery(subscriber, { [WEBHOOK_FORMAT_ANNOTATION]: subscriber.format ?? formatForUrl(subscriber.url) }, {
        event: { ...record, payload: event.notificationPayload() },
        subscriber: { name: subscriber.name, type: "Webhook", url: subscriber.url, secretRef: subscriber.secretRef },
        ...(subscriber.maxAttempts === undefined ? {} : { maxAttempts: subscriber.maxAttempts }),
      }),
    ];
  });
}
