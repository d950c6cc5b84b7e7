import type { EventDelivery } from "../../crds/types/index.js";
import type { DeliveryRequest } from "./delivery-client.js";
import type { JsonObject } from "./json.js";
import { captureRequest, type AnalyticsBackend } from "./posthog-capture.js";
import { webhookRequest } from "./webhook-request.js";

/** The analytics backend as the api is configured with it; the install id comes with each delivery. */
export type AnalyticsSettings = Omit<AnalyticsBackend, "installId">;

export interface RequestSources {
  /** The value of a key of a Secret in the deliveries' namespace, or undefined when there is none. */
  secretValue(name: string, key: string): string | undefined;
  /** Undefined while telemetry is off or no backend is configured. */
  analytics: AnalyticsSettings | undefined;
}

/** Why a delivery can never be made as things are configured: it is dead-lettered without an attempt. */
export interface Undeliverable {
  reason: string;
  message: string;
}

/**
 * The request of the next attempt of `delivery`, signed now. Throws when a webhook's signing secret is
 * missing or unusable: that fails the attempt, and a retry may find it fixed.
 */
export function requestFor(delivery: EventDelivery, sources: RequestSources, now: Date): DeliveryRequest | Undeliverable {
  const { event, subscriber } = delivery.spec;
  if (subscriber.type === "Analytics") {
    if (!sources.analytics) {
      return { reason: "AnalyticsInactive", message: "telemetry is disabled or no analytics backend is configured in the api: nothing is sent" };
    }
    return captureRequest({ ...sources.analytics, installId: subscriber.installId! }, event);
  }
  const ref = subscriber.secretRef!;
  const key = ref.key ?? "secret";
  const secret = sources.secretValue(ref.name, key);
  if (secret === undefined) throw new Error(`Secret ${ref.name} with key ${key} (the webhook signing secret) not found`);
  const message = { eventId: event.id, eventType: event.type, deliveryName: delivery.metadata!.name!, payload: (event.payload ?? {}) as JsonObject };
  return webhookRequest({ url: subscriber.url!, secret, format: subscriber.format ?? "json" }, message, now);
}

export function isUndeliverable<T extends object>(request: T | Undeliverable): request is Undeliverable {
  return "reason" in request;
}
