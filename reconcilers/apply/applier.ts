import type { KubeClient } from "../client/client.js";
import { refKey, refOf, type KubeObject, type ObjectRef } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { applyObject, type ApplyAction, type ApplyContext } from "./apply.js";
import { forEachConcurrently } from "./concurrency.js";
import { waitEstablished } from "./established.js";
import { withLastApplied } from "./last-applied.js";
import type { LiveReader } from "./live.js";
import { normalizeDesired } from "./normalize.js";
import { applyStages } from "./order.js";
import { withOwnership, type OwnershipLabels } from "./ownership.js";
import { prune, type PruneContext } from "./prune.js";
import { ReadYourWrites } from "./read-your-writes.js";

export interface ApplierOptions {
  client: KubeClient;
  /** Live state; a cache reader makes a no-op apply cost no request at all. */
  live: LiveReader;
  /** Put on every applied object; prune deletes only objects that carry all of them. */
  ownershipLabels: OwnershipLabels;
  lastAppliedAnnotation?: string;
  waveAnnotation?: string;
  /** Per object: "recreate" lets a change of an immutable field delete and create the object again. */
  immutableAnnotation?: string;
  /** Writes in flight within one stage. */
  concurrency?: number;
  /** Attempts per object when a concurrent writer wins the race (409, failed `test`). */
  conflictRetries?: number;
  logger?: Logger;
}

export type Action = ApplyAction | "pruned";

/** What an apply did, for status and logs; `inventory` is what the next apply may prune. */
export interface ChangeSet {
  created: ObjectRef[];
  configured: ObjectRef[];
  recreated: ObjectRef[];
  unchanged: ObjectRef[];
  pruned: ObjectRef[];
  inventory: ObjectRef[];
}

export const DEFAULT_LAST_APPLIED_ANNOTATION = "apply.reconcilers.dev/last-applied";
export const DEFAULT_WAVE_ANNOTATION = "apply.reconcilers.dev/wave";
export const DEFAULT_IMMUTABLE_ANNOTATION = "apply.reconcilers.dev/on-immutable-change";

/**
 * Makes live state match desired manifests: creates what is missing, JSON-patches what drifted (only the
 * fields we own, guarded by resourceVersion), and prunes what it applied before and no longer desires.
 */
export class Applier {
  private readonly context: ApplyContext;
  private readonly pruning: PruneContext;
  private readonly waveAnnotation: string;
  private readonly concurrency: number;
  private readonly logger: Logger;

  constructor(private readonly options: ApplierOptions) {
    const live = new ReadYourWrites(options.live, options.client);
    this.waveAnnotation = options.waveAnnotation ?? DEFAULT_WAVE_ANNOTATION;
    this.concurrency = options.concurrency ?? 8;
    this.logger = options.logger ?? silentLogger;
    this.context = {
      client: options.client,
      live,
      lastAppliedAnnotation: options.lastAppliedAnnotation ?? DEFAULT_LAST_APPLIED_ANNOTATION,
      immutableAnnotation: options.immutableAnnotation ?? DEFAULT_IMMUTABLE_ANNOTATION,
      conflictRetries: options.conflictRetries ?? 5,
    };
    this.pruning = { client: options.client, live, ownershipLabels: options.ownershipLabels, waveAnnotation: this.waveAnnotation, concurrency: this.concurrency, logger: this.logger };
  }

  /**
   * Applies `desired` stage by stage and, if every object applied, prunes objects of `inventory` that are
   * no longer desired, in reverse order. A failure stops before the next stage and before any prune.
   */
  async apply(desired: readonly KubeObject[], inventory: readonly ObjectRef[] = []): Promise<ChangeSet> {
    const changes: ChangeSet = { created: [], configured: [], recreated: [], unchanged: [], pruned: [], inventory: [] };
    const prepared = desired.map((obj) =>
      withLastApplied(withOwnership(normalizeDesired(obj), this.options.ownershipLabels), this.context.lastAppliedAnnotation),
    );
    const stages = applyStages(prepared, this.waveAnnotation);
    for (const stage of stages) {
      await forEachConcurrently(stage, this.concurrency, async (obj) => {
        const action = await applyObject(this.context, obj);
        changes[action].push(refOf(obj));
        if (action !== "unchanged") this.logger.info(`${action}`, { object: refKey(refOf(obj)) });
      });
      if (stage[0]?.kind === "CustomResourceDefinition") await waitEstablished(this.context.live, stage);
    }
    changes.inventory = stages.flat().map(refOf);
    const keep = new Set(changes.inventory.map(refKey));
    changes.pruned = await prune(this.pruning, inventory.filter((ref) => !keep.has(refKey(ref))));
    return changes;
  }
}
