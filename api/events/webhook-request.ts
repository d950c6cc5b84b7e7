import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { DeliveryRequest } from "./delivery-client.js";
import type { JsonObject } from "./json.js";
import { webhookBody, type WebhookFormat } from "./webhook-body.js";

/** A webhook subscriber as delivery needs it: its endpoint, signing secret and message shape. */
export interface WebhookTarget {
  url: string;
  /**
   * A Standard Webhooks secret ("whsec_" and the key in base64), or any other text, as Orchest's webhook secrets
   * are: that text's UTF-8 bytes are then the Standard Webhooks key.
   */
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
 * so a captured request cannot be replayed later. Orchest's own headers are kept for receivers written for it:
 * X-Orchest-Event, X-Orchest-Delivery and X-Hub-Signature (the hex HMAC-SHA256 of the body, keyed by the
 * secret's UTF-8 bytes, with no "sha256=" prefix, as Orchest sent it).
 * Throws when a "whsec_" secret is not valid base64.
 */
export function webhookRequest(target: WebhookTarget, message: WebhookMessage, now: Date): DeliveryRequest {
  const body = webhookBody(target.format, message.eventType, message.payload);
  const signature = standardWebhook(target.secret).sign(message.eventId, now, body);
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
      "x-hub-signature": createHmac("sha256", Buffer.from(target.secret, "utf8")).update(body).digest("hex"),
    },
  };
}

function standardWebhook(secret: string): Webhook {
  return secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(Buffer.from(secret, "utf8"), { format: "raw" });
}
