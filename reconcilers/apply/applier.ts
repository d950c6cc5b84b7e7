import { sleep } from "../backoff.js";
import type { KubeClient } from "../client/client.js";
import { isAlreadyExists, isApiError, isConflict } from "../client/errors.js";
import { refKey, refOf, type KubeObject, type ObjectRef } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { diff } from "./diff.js";
import { readLastApplied, withLastApplied } from "./last-applied.js";
import type { LiveReader } from "./live.js";
import { normalizeDesired } from "./normalize.js";
import { applyStages } from "./order.js";
import { isOwned, withOwnership, type OwnershipLabels } from "./ownership.js";

export interface ApplierOptions {
  client: KubeClient;
  /** Live state; a cache reader makes a no-op apply cost no request at all. */
  live: LiveReader;
  /** Put on every applied object; prune deletes only objects that carry all of them. */
  ownershipLabels: OwnershipLabels;
  lastAppliedAnnotation?: string;
  waveAnnotation?: string;
  /** Writes in flight within one stage. */
  concurrency?: number;
  /** Attempts per object when a concurrent writer wins the race (409, failed `test`). */
  conflictRetries?: number;
  logger?: Logger;
}

export type Action = "created" | "configured" | "unchanged" | "pruned";

/** What an apply did, for status and logs; `inventory` is what the next apply may prune. */
export interface ChangeSet {
  created: ObjectRef[];
  configured: ObjectRef[];
  unchanged: ObjectRef[];
  pruned: ObjectRef[];
  inventory: ObjectRef[];
}

export const DEFAULT_LAST_APPLIED_ANNOTATION = "apply.reconcilers.dev/last-applied";
export const DEFAULT_WAVE_ANNOTATION = "apply.reconcilers.dev/wave";

/**
 * Makes live state match desired manifests: creates what is missing, JSON-patches what drifted (only the
 * fields we own, guarded by resourceVersion), and prunes what it applied before and no longer desires.
 */
export class Applier {
  private readonly lastAppliedAnnotation: string;
  private readonly waveAnnotation: string;
  private readonly logger: Logger;
  // The cache lags our own writes. Remember each write's result and the resourceVersion it replaced: while
  // the cache still shows that one, the write is newer, so a reconcile right after a write diffs against it.
  private readonly written = new Map<string, { replaced: string | undefined; obj: KubeObject }>();

  constructor(private readonly options: ApplierOptions) {
    this.lastAppliedAnnotation = options.lastAppliedAnnotation ?? DEFAULT_LAST_APPLIED_ANNOTATION;
    this.waveAnnotation = options.waveAnnotation ?? DEFAULT_WAVE_ANNOTATION;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Applies `desired` stage by stage and, if every object applied, prunes objects of `inventory` that are
   * no longer desired, in reverse order. A failure stops before the next stage and before any prune.
   */
  async apply(desired: readonly KubeObject[], inventory: readonly ObjectRef[] = []): Promise<ChangeSet> {
    const changes: ChangeSet = { created: [], configured: [], unchanged: [], pruned: [], inventory: [] };
    const prepared = desired.map((obj) =>
      withLastApplied(withOwnership(normalizeDesired(obj), this.options.ownershipLabels), this.lastAppliedAnnotation),
    );
    const stages = applyStages(prepared, this.waveAnnotation);
    for (const stage of stages) {
      await this.forEachConcurrently(stage, async (obj) => {
        const action = await this.applyOne(obj);
        changes[action].push(refOf(obj));
        if (action !== "unchanged") this.logger.info(`${action}`, { object: refKey(refOf(obj)) });
      });
      if (stage[0]?.kind === "CustomResourceDefinition") await this.waitEstablished(stage);
    }
    changes.inventory = stages.flat().map(refOf);
    const keep = new Set(changes.inventory.map(refKey));
    const stale = inventory.filter((ref) => !keep.has(refKey(ref)));
    for (const stage of applyStages(stale.map(asStub), this.waveAnnotation).reverse()) {
      await this.forEachConcurrently(stage, async (stub) => {
        if (await this.prune(refOf(stub))) changes.pruned.push(refOf(stub));
      });
    }
    return changes;
  }

  private async applyOne(desired: KubeObject): Promise<Exclude<Action, "pruned">> {
    const ref = refOf(desired);
    const attempts = this.options.conflictRetries ?? 5;
    let live = await this.readLive(ref);
    for (let attempt = 1; ; attempt++) {
      try {
        if (!live) {
          this.remember(ref, undefined, await this.options.client.create(desired));
          return "created";
        }
        const patch = diff(live, desired, readLastApplied(live, this.lastAppliedAnnotation));
        if (patch.length === 0) return "unchanged";
        this.remember(ref, live.metadata.resourceVersion, await this.options.client.patch(ref, patch, "json"));
        return "configured";
      } catch (err) {
        if (attempt >= attempts) throw err;
        // Someone wrote in between, or our cache was stale: read the truth and diff again. A 422 is a lost
        // race only if the resourceVersion our patch tested has moved on; otherwise the patch is invalid.
        const fresh = await this.options.client.get(ref);
        const raced =
          isConflict(err) ||
          isAlreadyExists(err) ||
          (isApiError(err, 422) && live !== undefined && fresh?.metadata.resourceVersion !== live.metadata.resourceVersion);
        if (!raced) throw err;
        live = fresh;
      }
    }
  }

  private async prune(ref: ObjectRef): Promise<boolean> {
    const live = await this.readLive(ref);
    if (!live) return false;
    if (!isOwned(live, this.options.ownershipLabels)) {
      this.logger.info("not pruning an object without our ownership labels", { object: refKey(ref) });
      return false;
    }
    this.written.delete(refKey(ref));
    return this.options.client.delete(ref, { uid: live.metadata.uid, propagationPolicy: "Background" });
  }

  private async readLive(ref: ObjectRef): Promise<KubeObject | undefined> {
    const cached = await this.options.live.get(ref);
    const write = this.written.get(refKey(ref));
    if (!write) return cached;
    if (cached?.metadata.resourceVersion === write.replaced) return write.obj;
    this.written.delete(refKey(ref));
    return cached;
  }

  private remember(ref: ObjectRef, replaced: string | undefined, obj: KubeObject): void {
    this.written.set(refKey(ref), { replaced, obj });
  }

  // Instances of a CRD can be created only once the CRD is Established; live state says so at no cost.
  private async waitEstablished(crds: KubeObject[]): Promise<void> {
    for (const crd of crds) {
      for (let i = 0; i < 300; i++) {
        const live = await this.readLive(refOf(crd));
        const conditions = ((live?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
        if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
        await sleep(100);
      }
    }
  }

  private async forEachConcurrently<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const errors: unknown[] = [];
    const lane = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await fn(item).catch((err: unknown) => errors.push(err));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 8, items.length) }, lane));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} objects failed to apply`);
  }
}

// Pruning sorts refs with the same stage logic as applying, which only needs kind and name.
function asStub(ref: ObjectRef): KubeObject {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
}
