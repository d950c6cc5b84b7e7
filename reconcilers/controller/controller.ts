import type { EventHandler, Informer } from "../cache/informer.js";
import { objectKey, parseObjectKey, type KubeObject } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { linkedSignal } from "../signals.js";
import type { RateLimiter } from "../queue/rate-limiter.js";
import { WorkQueue, type QueueMetrics } from "../queue/work-queue.js";
import { traceReconcile } from "../tracing/index.js";
import { toSelf, type MapFunc } from "./mappers.js";
import type { UpdatePredicate } from "./predicates.js";
import { TerminalError, type Reconciler } from "./reconciler.js";

export type ReconcileOutcome = "success" | "error" | "requeue_after";

/** What a controller reports; the manager binds it to controller_runtime_* metrics. */
export interface ControllerMetrics {
  reconciled(outcome: ReconcileOutcome, seconds: number): void;
  failed(terminal: boolean): void;
  activeWorkers(n: number): void;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Workers of this controller's queue; 1 (the default) reconciles one key at a time. */
  maxConcurrentReconciles?: number;
  rateLimiter?: RateLimiter;
  /** `start` fails when the watched caches have not synced by then (missing CRD, no RBAC); 2 minutes, as controller-runtime. */
  cacheSyncTimeoutMs?: number;
  logger?: Logger;
  metrics?: { queue: QueueMetrics; controller: ControllerMetrics };
}

export interface WatchOptions {
  /** From the watched object to the primary keys; defaults to the object itself. */
  map?: MapFunc;
  /** Update events pass when every predicate passes. */
  predicates?: UpdatePredicate[];
}

const noMetrics: ControllerMetrics = { reconciled() {}, failed() {}, activeWorkers() {} };

/**
 * Watches feed keys into one rate-limited queue; workers take keys and run the reconciler. Sources are
 * attached at `start` (after leader election, in a manager), so a new leader first sees an add for every
 * cached object: a full resync, the level-based way.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly watches: Array<{ informer: Informer; options: WatchOptions }> = [];
  private readonly unsubscribes: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private active = 0;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.queue = new WorkQueue(options.rateLimiter, options.metrics?.queue);
    this.metrics = options.metrics?.controller ?? noMetrics;
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
  }

  watch(informer: Informer, options: WatchOptions = {}): this {
    this.watches.push({ informer, options });
    return this;
  }

  /**
   * Attaches the watches, waits for their caches, then runs the workers until `stop`. Fails, naming the
   * types, when a cache has not synced within the cache-sync timeout; returns at once when stopped meanwhile.
   */
  async start(): Promise<void> {
    for (const { informer, options } of this.watches) {
      this.unsubscribes.push(informer.addHandler(this.handlerFor(options)));
      informer.start();
    }
    const timeoutMs = this.options.cacheSyncTimeoutMs ?? 120_000;
    const waiting = linkedSignal([this.abort.signal], timeoutMs);
    await Promise.all(this.watches.map(({ informer }) => informer.waitForSync(waiting.signal))).finally(() => waiting.dispose());
    if (this.abort.signal.aborted) return;
    const unsynced = this.watches.filter(({ informer }) => !informer.hasSynced()).map(({ informer }) => `${informer.gvk.kind} (${informer.gvk.apiVersion})`);
    if (unsynced.length > 0) {
      throw new Error(
        `controller ${this.name}: the caches of ${unsynced.join(", ")} did not sync within ${timeoutMs} ms. ` +
          "Fix: check that these kinds exist (their CRDs installed) and that RBAC lets the controller list and watch them.",
      );
    }
    const workers = this.options.maxConcurrentReconciles ?? 1;
    this.logger.info("starting workers", { workers });
    this.workers = Array.from({ length: workers }, () => this.work());
  }

  /** Stops intake, lets running reconciles finish, detaches from the informers. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.abort.abort();
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
  }

  private handlerFor({ map = toSelf, predicates = [] }: WatchOptions): EventHandler {
    const enqueue = (obj: KubeObject) => {
      for (const request of map(obj)) this.queue.add(objectKey(request));
    };
    return {
      onAdd: enqueue,
      onUpdate: (old, obj) => {
        if (predicates.every((passes) => passes(old, obj))) enqueue(obj);
      },
      onDelete: enqueue,
    };
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.metrics.activeWorkers(++this.active);
      const started = performance.now();
      let outcome: ReconcileOutcome = "success";
      try {
        const result = await traceReconcile(this.options.name, key, () => this.options.reconciler(parseObjectKey(key), { signal: this.abort.signal }));
        this.queue.forget(key);
        if (result?.requeueAfter) {
          outcome = "requeue_after";
          this.queue.addAfter(key, result.requeueAfter);
        }
      } catch (err) {
        outcome = "error";
        const terminal = err instanceof TerminalError;
        this.metrics.failed(terminal);
        if (terminal) {
          this.queue.forget(key);
        } else {
          this.queue.addRateLimited(key);
        }
        this.logger.error("reconcile failed", { key, error: err, terminal, retries: this.queue.rateLimiter.failures(key) });
      } finally {
        this.metrics.reconciled(outcome, (performance.now() - started) / 1000);
        this.metrics.activeWorkers(--this.active);
        this.queue.done(key);
      }
    }
  }
}
