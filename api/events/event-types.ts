/**
 * Orchest's event taxonomy: every event the api records, in Orchest's own names (the `Event` enumeration
 * of Orchest's analytics module), so that webhooks and telemetry dashboards built for Orchest keep working.
 * The colon-separated prefix is the entity hierarchy, which is also how event classes are chosen.
 */
export const EVENT_TYPES = [
  "project:created",
  "project:updated",
  "project:deleted",

  "project:environment:created",
  "project:environment:deleted",
  "project:environment:image-build:created",
  "project:environment:image-build:started",
  "project:environment:image-build:cancelled",
  "project:environment:image-build:failed",
  "project:environment:image-build:succeeded",

  "project:pipeline:created",
  "project:pipeline:updated",
  "project:pipeline:deleted",

  "jupyter:image-build:created",
  "jupyter:image-build:started",
  "jupyter:image-build:cancelled",
  "jupyter:image-build:failed",
  "jupyter:image-build:succeeded",

  "project:pipeline:interactive-session:started",
  "project:pipeline:interactive-session:stopped",
  "project:pipeline:interactive-session:failed",
  "project:pipeline:interactive-session:service-restarted",
  "project:pipeline:interactive-session:succeeded",

  "project:pipeline:interactive-session:pipeline-run:created",
  "project:pipeline:interactive-session:pipeline-run:started",
  "project:pipeline:interactive-session:pipeline-run:cancelled",
  "project:pipeline:interactive-session:pipeline-run:failed",
  "project:pipeline:interactive-session:pipeline-run:succeeded",

  "project:one-off-job:created",
  "project:one-off-job:started",
  "project:one-off-job:deleted",
  "project:one-off-job:cancelled",
  "project:one-off-job:failed",
  "project:one-off-job:updated",
  "project:one-off-job:succeeded",

  "project:one-off-job:pipeline-run:created",
  "project:one-off-job:pipeline-run:started",
  "project:one-off-job:pipeline-run:cancelled",
  "project:one-off-job:pipeline-run:failed",
  "project:one-off-job:pipeline-run:deleted",
  "project:one-off-job:pipeline-run:succeeded",

  "project:cron-job:created",
  "project:cron-job:started",
  "project:cron-job:deleted",
  "project:cron-job:cancelled",
  "project:cron-job:failed",
  "project:cron-job:updated",
  "project:cron-job:paused",
  "project:cron-job:unpaused",

  "project:cron-job:run:started",
  "project:cron-job:run:succeeded",
  "project:cron-job:run:failed",

  "project:cron-job:run:pipeline-run:created",
  "project:cron-job:run:pipeline-run:started",
  "project:cron-job:run:pipeline-run:cancelled",
  "project:cron-job:run:pipeline-run:failed",
  "project:cron-job:run:pipeline-run:deleted",
  "project:cron-job:run:pipeline-run:succeeded",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The event types under an entity, e.g. EventTypeUnder<"project:cron-job:run:"> */
export type EventTypeUnder<Prefix extends string> = Extract<EventType, `${Prefix}${string}`>;

/**
 * Events that only the front end (and Orchest's webserver) sends, through the analytics relay. They are
 * telemetry only: never recorded, never delivered to webhooks.
 */
export const CLIENT_EVENT_TYPES = [
  "alert:shown",
  "confirm:shown",
  "view:loaded",
  "heartbeat-trigger",
  "job:duplicated",
  "pipeline:saved",
] as const;

export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
const clientEventTypes: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);

export function isEventType(value: string): value is EventType {
  return eventTypes.has(value);
}

export function isClientEventType(value: string): value is ClientEventType {
  return clientEventTypes.has(value);
}
