import { randomUUID } from "node:crypto";
import type { EventDelivery, Subscriber as SubscriberResource } from "../../crds/types/index.js";
import { withControllerReference, type KubeClient } from "../../reconcilers/index.js";
import type { OrchestEvent } from "./event.js";
import type { ClientEventType } from "./event-types.js";
import type { JsonObject } from "./json.js";
import { deliveriesFor, type RecordingOptions, type Subscriber } from "./recording.js";
import { relayedDeliveries } from "./relayed-event.js";
import { recordedLabel } from "./retention-sweep.js";
import { asKube } from "./kube-objects.js";
import { subscriberOf } from "./subscriber-resource.js";

export interface OutboxOptions {
  client: KubeClient;
  namespace: string;
  /** The namespace's Subscribers as they are now, e.g. from an informer once it has synced. */
  subscribers: () => Promise<readonly SubscriberResource[]>;
  /** Telemetry enabled and an analytics backend configured; otherwise no analytics delivery is created at all. */
  analytics: boolean;
}

/**
 * Records events as EventDeliveries, the transactional outbox: one per subscriber that wants the event,
 * owned by the subscriber (deleting it deletes its pending deliveries), labelled with when it was recorded
 * (their retention is swept by that label). A name already taken means the
 * event was recorded before (a retry after a crash): that is success, so recording twice delivers once.
 */
export class Outbox {
  constructor(private readonly options: OutboxOptions) {}

  /** Records an event of the api; resolves to the names of its deliveries once they are all stored. */
  record(event: OrchestEvent): Promise<string[]> {
    return this.store((subscribers, options) => deliveriesFor(event, subscribers, options));
  }

  /** Records an event of the front end for the analytics subscribers. */
  relay(type: ClientEventType, properties: JsonObject, timestamp = new Date()): Promise<string[]> {
    const event = { id: randomUUID(), type, timestamp, properties };
    return this.store((subscribers, options) => relayedDeliveries(event, subscribers, options));
  }

  private async store(plan: (subscribers: readonly Subscriber[], options: RecordingOptions) => EventDelivery[]): Promise<string[]> {
    const resources = await this.options.subscribers();
    const owners = new Map(resources.map((resource) => [resource.metadata!.name!, resource]));
    const deliveries = plan(resources.map(subscriberOf), { namespace: this.options.namespace, telemetryEnabled: this.options.analytics });
    const labels = recordedLabel(new Date());
    await Promise.all(
      deliveries.map(async (delivery) => {
        const owner = owners.get(delivery.spec.subscriber.name)!;
        const labelled = { ...delivery, metadata: { ...delivery.metadata, labels: { ...delivery.metadata!.labels, ...labels } } };
        await this.options.client.createIfAbsent(withControllerReference(asKube(labelled), asKube(owner)));
      }),
    );
    return deliveries.map((delivery) => delivery.metadata!.name!);
  }
}
