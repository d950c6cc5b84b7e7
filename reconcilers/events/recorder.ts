import type { KubeClient } from "../client/client.js";
import { isNotFound } from "../client/errors.js";
import { microTime, type KubeObject } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";

export type EventType = "Normal" | "Warning";

/** The API's limit on an Event's note, in bytes (not characters). */
export const NOTE_LIMIT_BYTES = 1024;
// As client-go: an event repeated within this window counts in the first one's series, after it a new one starts.
const SERIES_WINDOW_MS = 6 * 60_000;
const MAX_SERIES = 1024;

interface Series {
  readonly namespace: string;
  readonly started: number;
  name?: string;
  count: number;
  written: Promise<void> | undefined;
  next: Promise<void> | undefined;
}

/**
 * Records Kubernetes Events (events.k8s.io/v1) about objects, so `kubectl describe` and `kubectl events`
 * show what the controller did. An event repeated (same object, type, reason, action and note) within six
 * minutes is counted in the first one's `series` instead of creating another, as client-go's recorder does;
 * a burst of repeats costs a few patches, and the last one carries the final count. Recording never fails a
 * reconcile: errors are logged and dropped.
 */
export class EventRecorder {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly client: KubeClient,
    private readonly controller: string,
    private readonly instance: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  async record(regarding: KubeObject, type: EventType, reason: string, action: string, note: string): Promise<void> {
    const event = this.event(regarding, type, reason, action, truncateBytes(note, NOTE_LIMIT_BYTES));
    const key = JSON.stringify([type, reason, action, event.note, regarding.kind, regarding.metadata.namespace, regarding.metadata.name, regarding.metadata.uid]);
    let series = this.series.get(key);
    if (!series || Date.now() - series.started > SERIES_WINDOW_MS) {
      series = { namespace: event.metadata.namespace!, started: Date.now(), count: 0, written: undefined, next: undefined };
      this.series.delete(key);
      this.series.set(key, series);
      if (this.series.size > MAX_SERIES) this.series.delete(this.series.keys().next().value!);
    }
    series.count++;
    await this.flush(series, event);
  }

  // One write at a time per series; repeats that arrive meanwhile share the next write, which carries their count.
  private flush(series: Series, event: KubeObject): Promise<void> {
    if (series.next) return series.next;
    series.next = (async () => {
      await series.written;
      series.next = undefined;
      series.written = this.write(series, event);
      await series.written;
    })();
    return series.next;
  }

  private async write(series: Series, event: KubeObject): Promise<void> {
    const count = series.count;
    const counted = count > 1 ? { series: { count, lastObservedTime: microTime() } } : {};
    try {
      if (series.name) {
        try {
          await this.client.patch({ apiVersion: event.apiVersion, kind: event.kind, namespace: series.namespace, name: series.name }, counted, "merge");
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      // The first of a series, or its Event expired (the apiserver's event TTL): a new one carries the count.
      series.name = (await this.client.create({ ...event, ...counted })).metadata.name;
    } catch (err) {
      this.logger.error("recording an event failed", { error: err, reason: event.reason });
    }
  }

  private event(regarding: KubeObject, type: EventType, reason: string, action: string, note: string): KubeObject {
    const namespace = regarding.metadata.namespace || "default";
    return {
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
      note,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: regarding.metadata.name,
        namespace: regarding.metadata.namespace,
        uid: regarding.metadata.uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
    };
  }
}

/** The longest prefix of `text` within `limit` UTF-8 bytes, never cutting a character in two. */
export function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let bytes = 0;
  let out = "";
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > limit) break;
    out += char;
  }
  return out;
}

function eventSuffix(): string {
  return (BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16);
}
