import type { KubeObject } from "../client/object.js";

/** The labels that mark objects as ours; an object lacking any of them is never pruned. */
export type OwnershipLabels = Record<string, string>;

export function isOwned(obj: KubeObject, labels: OwnershipLabels): boolean {
  const present = obj.metadata.labels ?? {};
  return Object.entries(labels).every(([key, value]) => present[key] === value);
}

export function withOwnership(obj: KubeObject, labels: OwnershipLabels): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, ...labels } } };
}
