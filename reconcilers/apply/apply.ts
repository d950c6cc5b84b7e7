import type { KubeClient } from "../client/client.js";
import { isAlreadyExists, isApiError, isConflict } from "../client/errors.js";
import { refOf, type KubeObject } from "../client/object.js";
import { diff } from "./diff.js";
import { readLastApplied } from "./last-applied.js";
import type { ReadYourWrites } from "./read-your-writes.js";
import { immutableFields, immutablePolicyOf, ImmutableFieldError } from "./recreate.js";

export type ApplyAction = "created" | "configured" | "recreated" | "unchanged";

export interface ApplyContext {
  client: KubeClient;
  live: ReadYourWrites;
  lastAppliedAnnotation: string;
  immutableAnnotation: string;
  /** Attempts when a concurrent writer wins the race (409, failed `test`). */
  conflictRetries: number;
}

/**
 * Makes one object match `desired` (already normalized and carrying its last-applied record): creates it,
 * JSON-patches what drifted, or leaves it; a change the server refuses as immutable deletes and creates it
 * again if its policy allows.
 */
export async function applyObject(ctx: ApplyContext, desired: KubeObject): Promise<ApplyAction> {
  const ref = refOf(desired);
  const policy = immutablePolicyOf(desired, ctx.immutableAnnotation);
  let live = await ctx.live.get(ref);
  for (let attempt = 1; ; attempt++) {
    try {
      if (!live) {
        ctx.live.remember(ref, undefined, await ctx.client.create(desired));
        return "created";
      }
      const patch = diff(live, desired, readLastApplied(live, ctx.lastAppliedAnnotation));
      if (patch.length === 0) return "unchanged";
      ctx.live.remember(ref, live.metadata.resourceVersion, await ctx.client.patch(ref, patch, "json"));
      return "configured";
    } catch (err) {
      if (attempt >= ctx.conflictRetries) throw err;
      // Someone wrote in between, or our cache was stale: read the truth and diff again. A 422 is a lost
      // race only if the resourceVersion our patch tested has moved on; otherwise the patch is invalid.
      const fresh = await ctx.client.get(ref);
      const raced =
        isConflict(err) ||
        isAlreadyExists(err) ||
        (isApiError(err, 422) && live !== undefined && fresh?.metadata.resourceVersion !== live.metadata.resourceVersion);
      if (raced) {
        live = fresh;
        continue;
      }
      const fields = immutableFields(err);
      if (fields.length === 0 || !live) throw err;
      if (policy !== "recreate") throw new ImmutableFieldError(ref, fields, ctx.immutableAnnotation, err);
      await recreate(ctx, live, desired);
      return "recreated";
    }
  }
}

// Background deletion removes the object at once (its dependents later); a finalizer may still hold it.
async function recreate(ctx: ApplyContext, live: KubeObject, desired: KubeObject): Promise<void> {
  const ref = refOf(desired);
  ctx.live.forget(ref);
  await ctx.client.delete(ref, { uid: live.metadata.uid, propagationPolicy: "Background" });
  try {
    ctx.live.remember(ref, undefined, await ctx.client.create(desired));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    throw new Error(`${desired.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}: deleted to be recreated, still terminating (finalizers); it is created on a later reconcile`, { cause: err });
  }
}
