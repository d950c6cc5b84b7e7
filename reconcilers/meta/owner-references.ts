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

/** A copy of obj owned by `owner`, replacing any previous reference to the same owner. */
export function withControllerReference(obj: KubeObject, owner: KubeObject): KubeObject {
  const ref = controllerReference(owner);
  const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid && !r.controller);
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [...others, ref] } };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}
