/* eslint-disable */
// Generated from crds/eventdeliveries.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * EventDelivery is one delivery of one recorded event to one subscriber (a webhook or the analytics backend): the transactional outbox of Orchest's event system. Its name is derived from (event id, subscriber), so recording the same event twice creates nothing new. The controller delivers it concurrently per endpoint with bounded, backed-off retries and moves it to DeadLettered when they are exhausted.
 */
export interface EventDelivery {
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
   * The event and its subscriber. Immutable.
   */
  spec: EventDeliverySpec;
  /**
   * Progress of the delivery.
   */
  status?: EventDeliveryStatus;
}

/**
 * The event and its subscriber. Immutable.
 */
export interface EventDeliverySpec {
  /**
   * The recorded event.
   */
  event: EventRecord;
  /**
   * Who the event is delivered to.
   */
  subscriber: SubscriberRef;
  /**
   * Attempts after which the delivery is dead-lettered. Default: 10.
   */
  maxAttempts?: number;
}

/**
 * The recorded event.
 */
export interface EventRecord {
  /**
   * Unique id of the event (a UUID); the webhook-id of the delivery.
   */
  id: string;
  /**
   * Event type, e.g. project:created or project:job:pipeline-run:failed.
   */
  type: string;
  /**
   * When the event happened.
   */
  timestamp: string;
  /**
   * The entity the event is about, e.g. project.job.pipeline_run/<uuid>. Deliveries of one aggregate to one subscriber are made in event order: one waits until the earlier ones are Delivered or DeadLettered. Without it, no order is kept.
   */
  aggregate?: string;
  /**
   * Payload delivered to the subscriber (the notification payload for webhooks, the anonymized telemetry payload for analytics).
   */
  payload?: {
    [k: string]: unknown;
  };
}

/**
 * Who the event is delivered to.
 */
export interface SubscriberRef {
  /**
   * Name (or UUID) of the subscriber.
   */
  name: string;
  /**
   * Kind of subscriber: Webhook or Analytics.
   */
  type: "Webhook" | "Analytics";
  /**
   * Endpoint the delivery is POSTed to; required for webhooks.
   */
  url?: string;
  /**
   * Secret holding the Standard Webhooks signing secret of the subscriber (key "secret" unless set).
   */
  secretRef?: {
    /**
     * Name of the Secret in the delivery's namespace.
     */
    name: string;
    /**
     * Key in the Secret. Default: secret.
     */
    key?: string;
  };
  /**
   * Webhooks only: the message shape, Orchest's JSON payload (json) or the incoming-webhook shape of a chat tool (slack, discord, teams). Taken from the Subscriber at recording.
   */
  format?: "json" | "slack" | "discord" | "teams";
  /**
   * Analytics only: the anonymous id of this install (the Subscriber's spec.analytics.installId at recording), the only identity telemetry carries.
   */
  installId?: string;
}

/**
 * Progress of the delivery.
 */
export interface EventDeliveryStatus {
  /**
   * The .metadata.generation the controller last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending: not tried yet; Retrying: an attempt failed, another is scheduled at nextAttemptTime; Delivered: the subscriber answered 2xx; DeadLettered: maxAttempts reached or a permanent error, see reason.
   */
  phase?: "Pending" | "Retrying" | "Delivered" | "DeadLettered";
  /**
   * Number of attempts made.
   */
  attempts?: number;
  /**
   * When the last attempt was made.
   */
  lastAttemptTime?: string;
  /**
   * When the next attempt is due (phase Retrying).
   */
  nextAttemptTime?: string;
  /**
   * When the subscriber acknowledged the delivery.
   */
  deliveredTime?: string;
  /**
   * The value of the orchest.io/retry annotation last acted on. Setting the annotation to a new value (e.g. kubectl annotate ed NAME orchest.io/retry=$(date +%s) --overwrite) sends a DeadLettered delivery back to Pending with a fresh set of attempts.
   */
  lastRetryRequest?: string;
  /**
   * HTTP status of the last attempt, if a response was received.
   */
  lastResponseCode?: number;
  /**
   * Machine readable CamelCase reason of the current phase.
   */
  reason?: string;
  /**
   * Human readable explanation of the current phase.
   */
  message?: string;
  /**
   * Standard Kubernetes conditions of the object.
   */
  conditions?: Condition[];
}
