import type { KubeClient } from "../client/client.js";
import { microTime, type KubeObject } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";

export type EventType = "Normal" | "Warning";

/**
 * Records Kubernetes Events (events.k8s.io/v1) about objects, so `kubectl describe` and `kubectl events`
 * show what the controller did. Recording never fails a reconcile: errors are logged and dropped.
 */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly controller: string,
    private readonly instance: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  async record(regarding: KubeObject, type: EventType, reason: string, action: string, note: string): Promise<void> {
    const namespace = regarding.metadata.namespace || "default";
    const event: KubeObject = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      // Named like client-go's events (<object>.<hex time>): a generateName ending in "." is invalid.
      metadata: { name: `${regarding.metadata.name}.${eventSuffix()}`, namespace },
      eventTime: microTime(),
      reportingController: this.controller,
      reportingInstance: this.instance,
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: regarding.metadata.name,
        namespace: regarding.metadata.namespace,
        uid: regarding.metadata.uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
    };
    try {
      await this.client.create(event);
    } catch (err) {
      this.logger.error("recording an event failed", { error: err, reason });
    }
  }
}

function eventSuffix(): string {
  return (BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16);
}
