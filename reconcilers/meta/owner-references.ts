import type { KubeObject, OwnerReference } from "../client/object.js";

/** The reference that makes `owner` the controller of another object: garbage collection and watches follow it. */
export function controllerReference(owner: KubeObject): OwnerReference {
  if (!owner.metadata.uid) throw new Error(`${owner.kind} ${owner.metadata.name} has no uid: read it from the server first`);
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** An object has one controller: taking it over from another is refused, as in controller-runtime. */
export class AlreadyOwnedError extends Error {
  constructor(
    readonly obj: KubeObject,
    readonly owner: OwnerReference,
  ) {
    super(
      `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name} is already controlled by ${owner.kind} ${owner.name} (uid ${owner.uid}). ` +
        "Fix: remove that controller reference first, or make this owner a plain owner instead of the controller.",
    );
    this.name = "AlreadyOwnedError";
  }
}

/** A copy of obj controlled by `owner`, replacing its previous reference to the same owner; refuses another controller's object. */
export function withControllerReference(obj: KubeObject, owner: KubeObject): KubeObject {
  const ref = controllerReference(owner);
  const current = controllerOf(obj);
  if (current && current.uid !== ref.uid) throw new AlreadyOwnedError(obj, current);
  const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [...others, ref] } };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}
