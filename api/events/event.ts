import type { EventType } from "./event-types.js";
import { mergeAt, type JsonObject, type JsonScalar } from "./json.js";

/**
 * One layer of an event's payloads. Each class in the event hierarchy adds one layer to its parent's,
 * nested at its own path (project, then job, then pipeline run), as Orchest's events did.
 */
export interface Layer {
  /** Where the part sits in the payload, e.g. ["project", "job"]. */
  path: readonly string[];
  /** What users see in notifications. */
  notification: JsonObject;
  /**
   * The allow-list: keys of `notification` that telemetry may carry as they are. Only identifiers,
   * statuses and numbers belong here; anything a user typed (names, paths, parameters, commands,
   * environment values) never does, telemetry gets counts of it in `derived` instead.
   */
  telemetryFields: readonly string[];
  /** Anonymous facts derived from the rest: counts and flags. */
  derived: JsonObject;
}

/** Orchest's telemetry payload shape: anonymized properties plus those derived from what was removed. */
export interface TelemetryPayload {
  event_properties: JsonObject;
  derived_properties: JsonObject;
}

/** The entities an event is about, for subscriber scopes. */
export interface EventScope {
  projectUuid?: string;
  jobUuid?: string;
}

export interface EventInit<T extends EventType> {
  id: string;
  type: T;
  timestamp: Date;
}

/** Root of the event hierarchy: the id, type and time every payload starts with. */
export class OrchestEvent<T extends EventType = EventType> {
  readonly id: string;
  readonly type: T;
  readonly timestamp: Date;

  constructor(init: EventInit<T>) {
    this.id = init.id;
    this.type = init.type;
    this.timestamp = init.timestamp;
  }

  get scope(): EventScope {
    return {};
  }

  /**
   * The entity this event is about, e.g. "project.job.pipeline_run/<uuid>": its deepest layer that has a
   * uuid. Deliveries of one aggregate to one subscriber keep event order (created before started before
   * succeeded); events of different aggregates are delivered concurrently.
   */
  get aggregate(): string | undefined {
    const entity = this.layers().filter((layer) => layer.path.length > 0 && typeof layer.notification.uuid === "string").at(-1);
    return entity && `${entity.path.join(".")}/${entity.notification.uuid as string}`;
  }

  /** This class's layers: the parent's, then its own. Subclasses extend the list, never rewrite it. */
  protected layers(): Layer[] {
    return [
      {
        path: [],
        notification: { uuid: this.id, type: this.type, timestamp: this.timestamp.toISOString() },
        telemetryFields: ["uuid", "type", "timestamp"],
        derived: {},
      },
    ];
  }

  notificationPayload(): JsonObject {
    return this.layers().reduce<JsonObject>((payload, layer) => mergeAt(payload, layer.path, layer.notification), {});
  }

  telemetryPayload(): TelemetryPayload {
    return this.layers().reduce<TelemetryPayload>(
      (payload, layer) => ({
        event_properties: mergeAt(payload.event_properties, layer.path, allowed(layer)),
        derived_properties: mergeAt(payload.derived_properties, layer.path, layer.derived),
      }),
      { event_properties: {}, derived_properties: {} },
    );
  }
}

/** The allow-listed fields of a layer. Only scalars pass: an allowed key never smuggles a nested object. */
function allowed(layer: Layer): JsonObject {
  const picked: JsonObject = {};
  for (const key of layer.telemetryFields) {
    const value = layer.notification[key];
    if (isScalar(value)) picked[key] = value;
  }
  return picked;
}

function isScalar(value: unknown): value is JsonScalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
