import { Webhook } from "standardwebhooks";
import type { DeliveryRequest } from "./delivery-client.js";
import type { JsonObject } from "./json.js";
import { webhookBody, type WebhookFormat } from "./webhook-body.js";

/** A webhook subscriber as delivery needs it: its endpoint, signing secret and message shape. */
export interface WebhookTarget {
  url: string;
  /** Standard Webhooks secret: base64, optionally prefixed "whsec_". */
  secret: string;
  format: WebhookFormat;
}

/** One event for one subscriber: what the EventDelivery snapshot holds. */
export interface WebhookMessage {
  eventId: string;
  eventType: string;
  deliveryName: string;
  payload: JsonObject;
}

const USER_AGENT = "orchest-gitops-webhooks";

/**
 * The signed request of one attempt. Signed per Standard Webhooks: webhook-id is the event id (the same on
 * every retry, the receiver's idempotency key), and the timestamp is the attempt's, inside the signature,
 * so a captured request cannot be replayed later. Orchest's X-Orchest-* headers are kept for old receivers.
 * Throws when the secret is not a usable Standard Webhooks secret.
 */
export function webhookRequest(target: WebhookTarget, message: WebhookMessage, now: Date): DeliveryRequest {
  const body = webhookBody(target.format, message.eventType, message.payload);
  const signature = new Webhook(target.secret).sign(message.eventId, now, body);
  return {
    url: target.url,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "webhook-id": message.eventId,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
      "x-orchest-event": message.eventType,
      "x-orchest-delivery": message.deliveryName,
    },
  };
}
