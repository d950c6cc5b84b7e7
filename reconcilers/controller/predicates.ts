import type { KubeObject } from "../client/object.js";

/** Filters update events before they enqueue anything; adds and deletes always pass. */
export type UpdatePredicate = (old: KubeObject, obj: KubeObject) => boolean;

/** Only spec changes: status writes (including our own) bump resourceVersion but not generation. */
export const generationChanged: UpdatePredicate = (old, obj) => old.metadata.generation !== obj.metadata.generation;

export const labelsChanged: UpdatePredicate = (old, obj) =>
  JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(obj.metadata.labels ?? {});

export const annotationsChanged: UpdatePredicate = (old, obj) =>
  JSON.stringify(old.metadata.annotations ?? {}) !== JSON.stringify(obj.metadata.annotations ?? {});

/** Passes when any of the predicates passes. */
export function anyOf(...predicates: UpdatePredicate[]): UpdatePredicate {
  return (old, obj) => predicates.some((p) => p(old, obj));
}
