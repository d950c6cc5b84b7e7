/* eslint-disable */
// Generated from crds/subscribers.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * Subscriber is who hears about Orchest's events: a webhook (an HTTP endpoint, signed per Standard Webhooks, for the event types and scope it names) or the analytics backend (every event, as its anonymized telemetry payload). Recording an event creates one EventDelivery per subscriber that wants it; deleting a subscriber deletes its pending deliveries (they are owned by it).
 */
export interface Subscriber {
  /**
   * APIVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  kind?: string;
  /**
   * Standard object metadata.
   */
  metadata?: ObjectMeta;
  /**
   * What kind of subscriber this is and what it wants.
   */
  spec: SubscriberSpec;
  /**
   * What the api observed of the subscriber.
   */
  status?: SubscriberStatus;
}

/**
 * What kind of subscriber this is and what it wants.
 */
export interface SubscriberSpec {
  /**
   * Webhook: spec.webhook says where and what. Analytics: spec.analytics says as whom; it gets every event, but only while the api runs with telemetry enabled (the OrchestCluster's setting, passed as --telemetry) and an analytics backend configured (--analytics-backend).
   */
  type: "Webhook" | "Analytics";
  /**
   * Where a webhook subscriber's deliveries go and which events it wants.
   */
  webhook?: WebhookSubscription;
  /**
   * As whom telemetry is sent to the analytics backend.
   */
  analytics?: AnalyticsSubscription;
}

/**
 * Where a webhook subscriber's deliveries go and which events it wants.
 */
export interface WebhookSubscription {
  /**
   * Endpoint the deliveries are POSTed to. Non-public addresses (private, loopback, link-local) are refused at connect time unless the api's webhook address policy allows them.
   */
  url: string;
  /**
   * Secret, in the subscriber's namespace, holding the signing secret: a Standard Webhooks secret (whsec_ and the key in base64) or any other text, as Orchest's webhook secrets were (its UTF-8 bytes are then the key). Receivers verify the webhook-signature header (Standard Webhooks) or X-Hub-Signature (Orchest's: hex HMAC-SHA256 of the body keyed by the secret as written) with it.
   */
  secretRef: {
    /**
     * Name of the Secret.
     */
    name: string;
    /**
     * Key in the Secret. Default: secret.
     */
    key?: string;
  };
  /**
   * Event-type patterns: an exact type (project:created), everything under an entity (project:one-off-job:*, its pipeline runs included) or everything (*).
   *
   * @minItems 1
   * @maxItems 64
   */
  eventTypes: [string, ...string[]];
  /**
   * Which entities' events. Empty or absent, all; projectUuid alone, that project's; projectUuid and jobUuid, that job's (its runs included).
   */
  scope?: {
    /**
     * UUID of the project.
     */
    projectUuid?: string;
    /**
     * UUID of a job of the project.
     */
    jobUuid?: string;
  };
  /**
   * Message shape: Orchest's JSON payload (json) or a chat tool's incoming-webhook shape (slack, discord, teams). Default: from the URL, as in Orchest (hooks.slack.com, discord.com/api/webhooks, *.webhook.office.com), json otherwise.
   */
  format?: "json" | "slack" | "discord" | "teams";
  /**
   * Attempts per delivery before it is dead-lettered. Default: 10.
   */
  maxAttempts?: number;
}

/**
 * As whom telemetry is sent to the analytics backend.
 */
export interface AnalyticsSubscription {
  /**
   * Anonymous id of this install (Orchest's TELEMETRY_UUID), e.g. a random UUID; the only identity telemetry carries.
   */
  installId: string;
}

/**
 * What the api observed of the subscriber.
 */
export interface SubscriberStatus {
  /**
   * The .metadata.generation the api last acted on.
   */
  observedGeneration?: number;
  /**
   * Disabled: True after a receiver answered 410 Gone (reason EndpointGone); no deliveries are made while it holds for the current generation. Editing the spec (a new URL, say) re-enables the subscriber.
   */
  conditions?: Condition[];
}
