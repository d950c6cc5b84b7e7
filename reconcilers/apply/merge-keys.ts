import { groupOf, type GroupVersionKind } from "../client/object.js";
import { isObject } from "./json.js";

/**
 * The fields whose values identify an item of a list, so that a merge matches live items with desired ones
 * (Kubernetes' strategic-merge `patchMergeKey`, or `listMapKeys` where there are several).
 */
export type MergeKeys = readonly string[];

// Lists of a PodSpec, and of its containers, that merge item by item (k8s.io/api/core/v1 types.go).
const POD_SPEC_LISTS: Record<string, MergeKeys> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  volumes: ["name"],
  imagePullSecrets: ["name"],
  hostAliases: ["ip"],
  topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"],
  resourceClaims: ["name"],
  schedulingGates: ["name"],
};
const CONTAINER_LISTS: Record<string, MergeKeys> = {
  env: ["name"],
  ports: ["containerPort", "protocol"],
  volumeMounts: ["mountPath"],
  volumeDevices: ["devicePath"],
};
const CONTAINER_LIST_FIELDS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** Groups served by Kubernetes itself: their schemas are known here; other groups' are not. */
export function isBuiltIn(type: GroupVersionKind): boolean {
  const group = groupOf(type.apiVersion);
  return !group.includes(".") || group.endsWith(".k8s.io");
}

/**
 * The merge keys of the list at `path` (field names, "*" for a list item) in an object of `type`; undefined
 * for an atomic list, which is replaced as a whole. A built-in list not named here is atomic, as it is for
 * strategic merge. Custom resources' schemas are unknown: their lists of objects with unique `name`s merge
 * by name, other lists are atomic.
 */
export function mergeKeysOf(type: GroupVersionKind, path: readonly string[]): MergeKeys | undefined {
  if (!isBuiltIn(type)) return ["name"];
  const field = path[path.length - 1]!;
  const parent = path.slice(0, -1);
  if (field === "ownerReferences" && parent.length === 1 && parent[0] === "metadata") return ["uid"];
  if (isPodSpec(type, parent)) return POD_SPEC_LISTS[field];
  const container = parent.slice(0, -2);
  if (parent[parent.length - 1] === "*" && CONTAINER_LIST_FIELDS.has(parent[parent.length - 2]!) && isPodSpec(type, container)) {
    return CONTAINER_LISTS[field];
  }
  if (field === "claims" && parent[parent.length - 1] === "resources") return ["name"];
  if (type.kind === "Service" && path.join(".") === "spec.ports") return ["port", "protocol"];
  if (field === "webhooks" && path.length === 1 && type.kind.endsWith("WebhookConfiguration")) return ["name"];
  return undefined;
}

// A Pod's spec, or the pod template's spec in any workload (Deployment, Job, CronJob's jobTemplate, PodTemplate ...).
function isPodSpec(type: GroupVersionKind, path: readonly string[]): boolean {
  if (type.kind === "Pod") return path.length === 1 && path[0] === "spec";
  return path.length >= 2 && path[path.length - 1] === "spec" && path[path.length - 2] === "template";
}

/** The identity of a list item under `keys`, or undefined when it lacks one of them. */
export function itemKey(item: unknown, keys: MergeKeys): string | undefined {
  if (!isObject(item)) return undefined;
  const values = keys.map((key) => item[key]);
  if (values.some((value) => value === undefined || (typeof value === "object" && value !== null))) return undefined;
  return keys.length === 1 ? String(values[0]) : JSON.stringify(values);
}

/** The items by key; undefined when an item has no key or two share one: then the list can only be atomic. */
export function byKey<T>(items: readonly T[], keys: MergeKeys): Map<string, T> | undefined {
  const map = new Map<string, T>();
  for (const item of items) {
    const key = itemKey(item, keys);
    if (key === undefined || map.has(key)) return undefined;
    map.set(key, item);
  }
  return map;
}
