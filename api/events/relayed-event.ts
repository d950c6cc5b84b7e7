import type { EventDelivery } from "../../crds/types/index.js";
import type { ClientEventType } from "./event-types.js";
import type { JsonObject } from "./json.js";
import { newDelivery, type RecordingOptions, type Subscriber } from "./recording.js";

/** An event of the front end, relayed by the api's POST /analytics; its properties were anonymized by the client. */
export interface RelayedEvent {
  id: string;
  type: ClientEventType;
  timestamp: Date;
  properties: JsonObject;
}

/** Its deliveries: to analytics subscribers only (webhooks hear of what the api records, not of page views). */
export function relayedDeliveries(event: RelayedEvent, subscribers: readonly Subscriber[], options: RecordingOptions): EventDelivery[] {
  if (!options.telemetryEnabled) return [];
  return subscribers.flatMap((subscriber) =>
    subscriber.kind !== "Analytics"
      ? []
      : [
          newDelivery(options.namespace, {
            event: { id: event.id, type: event.type, timestamp: event.timestamp.toISOString(), payload: { event_properties: event.properties, derived_properties: {} } },
            subscriber: { name: subscriber.name, type: "Analytics", installId: subscriber.installId },
          }),
        ],
  );
}
