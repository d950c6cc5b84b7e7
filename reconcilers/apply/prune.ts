import type { KubeClient } from "../client/client.js";
import { refKey, type KubeObject, type ObjectRef } from "../client/object.js";
import type { Logger } from "../log.js";
import { forEachConcurrently } from "./concurrency.js";
import { applyStages } from "./order.js";
import { isOwned, type OwnershipLabels } from "./ownership.js";
import type { ReadYourWrites } from "./read-your-writes.js";

export interface PruneContext {
  client: KubeClient;
  live: ReadYourWrites;
  ownershipLabels: OwnershipLabels;
  waveAnnotation: string;
  concurrency: number;
  logger: Logger;
}

/**
 * Deletes the objects of `refs` that carry our ownership labels, in reverse apply order: the stages come
 * from the live objects (their kind and wave annotation), since a ref alone has no wave. Returns the
 * refs it deleted; objects already gone or not ours are left alone.
 */
export async function prune(ctx: PruneContext, refs: readonly ObjectRef[]): Promise<ObjectRef[]> {
  const found = await Promise.all(refs.map(async (ref) => ({ ref, live: await ctx.live.get(ref) })));
  const owned: Array<KubeObject & { ref: ObjectRef }> = [];
  for (const { ref, live } of found) {
    if (!live) continue;
    if (isOwned(live, ctx.ownershipLabels)) owned.push({ ...live, ref });
    else ctx.logger.info("not pruning an object without our ownership labels", { object: refKey(ref) });
  }
  const pruned: ObjectRef[] = [];
  for (const stage of applyStages(owned, ctx.waveAnnotation).reverse()) {
    await forEachConcurrently(stage, ctx.concurrency, async (obj) => {
      ctx.live.forget(obj.ref);
      if (await ctx.client.delete(obj.ref, { uid: obj.metadata.uid, propagationPolicy: "Background" })) pruned.push(obj.ref);
    });
  }
  return pruned;
}
