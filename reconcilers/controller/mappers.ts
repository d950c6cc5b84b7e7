import type { GroupVersionKind, KubeObject } from "../client/object.js";
import { groupOf } from "../client/object.js";
import type { Request } from "./reconciler.js";

/** Turns a watched object into the requests of the primary objects it concerns. */
export type MapFunc = (obj: KubeObject) => Request[];

/** The object itself is the primary. */
export const toSelf: MapFunc = (obj) => [{ namespace: obj.metadata.namespace, name: obj.metadata.name! }];

/**
 * The owner of an owned object, found by its controller ownerReference (controller-runtime's
 * EnqueueRequestForOwner with OnlyControllerOwner). The owner lives in the same namespace, or is cluster-scoped.
 */
export function toControllerOwner(owner: GroupVersionKind, options: { ownerNamespaced?: boolean } = {}): MapFunc {
  const group = groupOf(owner.apiVersion);
  return (obj) =>
    (obj.metadata.ownerReferences ?? [])
      .filter((ref) => ref.controller && ref.kind === owner.kind && groupOf(ref.apiVersion) === group)
      .map((ref) => ({ namespace: options.ownerNamespaced === false ? undefined : obj.metadata.namespace, name: ref.name }));
}
