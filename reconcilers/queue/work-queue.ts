import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

// setTimeout fires at once for delays above 2³¹−1 ms (about 24.8 days): longer waits are made of shorter ones.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a queue reports; the manager binds it to controller-runtime's workqueue_* metrics. */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  retry(): void;
  /** Seconds an item waited in the queue before a worker took it. */
  queued(seconds: number): void;
  /** Seconds a worker held an item. */
  worked(seconds: number): void;
  /** How to read the work in flight; gauges call it at scrape time, so stuck workers show while stuck. */
  readWorkInFlight(read: () => WorkInFlight): void;
}

/** Seconds of work started and not yet done: in total, and of the oldest item. */
export interface WorkInFlight {
  readonly unfinishedSeconds: number;
  readonly longestSeconds: number;
}

const noMetrics: QueueMetrics = { add() {}, depth() {}, retry() {}, queued() {}, worked() {}, readWorkInFlight() {} };

/**
 * client-go's rate-limited work queue. The invariants that make controllers correct:
 * - a key is in the queue at most once (adds of a waiting key are merged: "dirty");
 * - a key is never handed to two workers at once: an add while it is being processed only marks it dirty,
 *   and `done` puts it back, so the change that came in during processing is not lost;
 * - delayed adds (`addAfter`, `addRateLimited`) keep only the earliest pending deadline per key, however far.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: Array<(item: string | undefined) => void> = [];
  private readonly drainers: Array<() => void> = [];
  private shuttingDown = false;

  constructor(
    readonly rateLimiter: RateLimiter = defaultControllerRateLimiter(),
    private readonly metrics: QueueMetrics = noMetrics,
  ) {
    metrics.readWorkInFlight(() => this.workInFlight());
  }

  get length(): number {
    return this.queue.length;
  }

  /** Keys taken by workers and not yet `done`. */
  get inFlight(): number {
    return this.processing.size;
  }

  private workInFlight(): WorkInFlight {
    const now = performance.now();
    let unfinishedSeconds = 0;
    let longestSeconds = 0;
    for (const started of this.processing.values()) {
      const seconds = (now - started) / 1000;
      unfinishedSeconds += seconds;
      longestSeconds = Math.max(longestSeconds, seconds);
    }
    return { unfinishedSeconds, longestSeconds };
  }

  add(item: string): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.metrics.add();
    this.dirty.add(item);
    this.addedAt.set(item, performance.now());
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  addAfter(item: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const at = Date.now() + ms;
    const pending = this.waiting.get(item);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    this.wait(item, at);
  }

  private wait(item: string, at: number): void {
    const timer = setTimeout(() => {
      if (Date.now() < at) return this.wait(item, at);
      this.waiting.delete(item);
      this.add(item);
    }, Math.min(at - Date.now(), MAX_TIMER_MS));
    this.waiting.set(item, { at, timer });
  }

  addRateLimited(item: string): void {
    this.metrics.retry();
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Stops the backoff of an item: its next failure starts again from the base delay. */
  forget(item: string): void {
    this.rateLimiter.forget(item);
  }

  /** Waits for a key; undefined once the queue is shut down and empty. */
  get(): Promise<string | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(item: string): void {
    const started = this.processing.get(item);
    if (started === undefined) return;
    this.metrics.worked((performance.now() - started) / 1000);
    this.processing.delete(item);
    // While draining, a key made dirty during processing is dropped: shutdown must finish.
    if (this.dirty.has(item) && !this.shuttingDown) this.enqueue(item);
    if (this.processing.size === 0) for (const drained of this.drainers.splice(0)) drained();
  }

  /** Refuses new keys, drops delayed ones, wakes idle workers; keys already queued are still handed out. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** Shuts down, drops queued keys, and resolves when no key is being processed. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    this.queue.length = 0;
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainers.push(resolve));
  }

  private enqueue(item: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.queue.push(item);
      getter(this.take());
      return;
    }
    this.queue.push(item);
    this.metrics.depth(this.queue.length);
  }

  private take(): string {
    const item = this.queue.shift()!;
    this.metrics.depth(this.queue.length);
    this.dirty.delete(item);
    this.processing.set(item, performance.now());
    const added = this.addedAt.get(item);
    this.addedAt.delete(item);
    if (added !== undefined) this.metrics.queued((performance.now() - added) / 1000);
    return item;
  }
}
