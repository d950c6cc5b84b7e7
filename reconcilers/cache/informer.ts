import type { KubeClient } from "../client/client.js";
import { objectKey, type GroupVersionKind, type KubeObject } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { Store, type IndexFunc } from "./store.js";
import { deepFreeze, stripManagedFields, type Transform } from "./transform.js";
import { Watcher, type ChangeType, type WatcherOptions, type WatchSink } from "./watcher.js";

/** Callbacks for cache changes; objects are frozen and shared, copy before changing them. */
export interface EventHandler {
  onAdd?(obj: KubeObject): void;
  onUpdate?(old: KubeObject, obj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions extends WatcherOptions {
  /** Applied before an object enters the cache; managedFields are stripped first either way. */
  transform?: Transform;
}

/**
 * A watcher feeding a UID-keyed store, telling handlers what changed. A relist is diffed against the store:
 * unchanged objects make no event (no replay after a restart), vanished ones make a delete.
 */
export class Informer implements WatchSink {
  readonly store = new Store();
  private readonly handlers = new Set<EventHandler>();
  private readonly watcher: Watcher;
  private readonly transform: Transform;
  private readonly logger: Logger;
  private readonly syncWaiters = new Set<() => void>();
  private synced = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  readonly gvk: GroupVersionKind;

  constructor(client: KubeClient, type: GroupVersionKind, options: InformerOptions = {}) {
    // Callers may pass a whole ref or object; only the type matters, and a name would narrow the list path.
    const gvk = { apiVersion: type.apiVersion, kind: type.kind };
    this.gvk = gvk;
    const custom = options.transform;
    this.transform = custom ? (obj) => custom(stripManagedFields(obj)) : stripManagedFields;
    this.logger = (options.logger ?? silentLogger).child({ informer: `${gvk.apiVersion}/${gvk.kind}` });
    this.watcher = new Watcher(client, gvk, this, { ...options, logger: this.logger });
  }

  /** Starts listing and watching; a stopped informer may start again (it relists, diffing against its cache). */
  start(): void {
    if (this.abort) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.running = this.watcher.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.abort) return;
    this.abort.abort();
    await this.running;
    this.abort = undefined;
    this.stopped = true;
    this.wakeSyncWaiters();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache; false if the informer stopped or `signal` aborted first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced || this.stopped || signal?.aborted) return Promise.resolve(this.synced);
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener("abort", wake);
        this.syncWaiters.delete(wake);
        resolve(this.synced);
      };
      this.syncWaiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  private wakeSyncWaiters(): void {
    for (const wake of [...this.syncWaiters]) wake();
  }

  /** Adds a handler; like client-go, it first receives an add for every object already cached. */
  addHandler(handler: EventHandler): () => void {
    this.handlers.add(handler);
    for (const obj of this.store.list()) this.dispatch(handler, (h) => h.onAdd?.(obj));
    return () => this.handlers.delete(handler);
  }

  addIndexer(name: string, fn: IndexFunc): void {
    this.store.addIndexer(name, fn);
  }

  get(key: string): KubeObject | undefined {
    return this.store.get(key);
  }

  list(namespace?: string): KubeObject[] {
    const all = this.store.list();
    return namespace === undefined ? all : all.filter((obj) => obj.metadata.namespace === namespace);
  }

  byIndex(name: string, value: string): KubeObject[] {
    return this.store.byIndex(name, value);
  }

  replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.metadata.uid!);
      this.change("MODIFIED", item);
    }
    for (const uid of [...this.store.uids()]) {
      if (!seen.has(uid)) this.emitDelete(this.store.remove(uid)!);
    }
    if (!this.synced) {
      this.synced = true;
      this.wakeSyncWaiters();
    }
  }

  change(type: ChangeType, raw: KubeObject): void {
    const uid = raw.metadata.uid!;
    if (type === "DELETED") {
      const old = this.store.remove(uid);
      if (old) this.emitDelete(old);
      return;
    }
    const current = this.store.getByUid(uid);
    // A watch resumed or a relist repeats what we already hold: no event for an unchanged resourceVersion.
    if (current?.metadata.resourceVersion === raw.metadata.resourceVersion) return;
    const obj = deepFreeze(this.transform(raw));
    // Same name, new UID: the old object was deleted while we were not watching.
    const namesake = this.store.get(objectKey(obj));
    if (namesake && namesake.metadata.uid !== uid) this.emitDelete(this.store.remove(namesake.metadata.uid!)!);
    const old = this.store.upsert(obj);
    if (old) this.emitEach((h) => h.onUpdate?.(old, obj));
    else this.emitEach((h) => h.onAdd?.(obj));
  }

  private emitDelete(obj: KubeObject): void {
    this.emitEach((h) => h.onDelete?.(obj));
  }

  private emitEach(call: (handler: EventHandler) => void): void {
    for (const handler of this.handlers) this.dispatch(handler, call);
  }

  private dispatch(handler: EventHandler, call: (handler: EventHandler) => void): void {
    try {
      call(handler);
    } catch (err) {
      this.logger.error("event handler failed", { error: err });
    }
  }
}
