import type { KubeObject } from "../client/object.js";

/** Rewrites an object before it enters the cache; must return an object of the same identity (UID). */
export type Transform = (obj: KubeObject) => KubeObject;

/** managedFields are often the largest part of an object and no reconciler reads them. */
export const stripManagedFields: Transform = (obj) => {
  delete obj.metadata.managedFields;
  return obj;
};

/** Objects handed out by the cache are shared by every reader: freezing makes an accidental write throw. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
