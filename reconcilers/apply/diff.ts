import jsonpatch from "fast-json-patch";
import type { KubeObject } from "../client/object.js";
import { sameScalar } from "./normalize.js";

export type PatchOperation = jsonpatch.Operation;

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The live object as it should be: live, with every field we set brought to its desired value and every
 * field we set last time but no longer set removed. Fields we never set (server defaults, other writers'
 * labels, status) are left as they are, so the server's defaulting never looks like drift.
 *
 * - Objects merge key by key.
 * - Lists whose items all have a unique `name` (containers, env, volumes, ports with names) merge item by
 *   item, keyed by name, in live's order; other writers' items are kept, items we dropped are removed.
 * - Other lists are atomic: kept when live covers desired item by item (extra defaulted fields allowed),
 *   replaced by desired otherwise, or when desired changed since the last apply.
 * - Scalars compare modulo the server's spellings (quantities, int-or-string).
 */
export function mergeOwned(live: KubeObject, desired: KubeObject, lastApplied: KubeObject | undefined): KubeObject {
  return merge(live, desired, lastApplied, []) as KubeObject;
}

/** The JSON patch that turns live into desired, guarded by live's resourceVersion; [] when nothing differs. */
export function diff(live: KubeObject, desired: KubeObject, lastApplied: KubeObject | undefined): PatchOperation[] {
  const operations = jsonpatch.compare(live, mergeOwned(live, desired, lastApplied));
  if (operations.length === 0) return [];
  return [{ op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion }, ...operations];
}

function merge(live: Json, desired: Json, last: Json, path: string[]): Json {
  if (isObject(desired)) {
    if (!isObject(live)) return desired;
    const out: JsonObject = { ...live };
    for (const [key, value] of Object.entries(desired)) out[key] = merge(live[key], value, isObject(last) ? last[key] : undefined, [...path, key]);
    if (isObject(last)) for (const key of Object.keys(last)) if (!(key in desired)) delete out[key];
    return out;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired;
    if (hasUniqueNames(desired) && hasUniqueNames(live)) return mergeNamedList(live, desired, last, path);
    const unchangedSinceLastApply = last === undefined || jsonpatch.compare(desired as object, last as object).length === 0;
    return unchangedSinceLastApply && covers(live, desired, path) ? live : desired;
  }
  return live !== undefined && sameScalar(live, desired, path) ? live : desired;
}

function mergeNamedList(live: JsonObject[], desired: JsonObject[], last: Json, path: string[]): Json[] {
  const wanted = new Map(desired.map((item) => [item.name as string, item]));
  const lastItems = new Map(Array.isArray(last) && hasUniqueNames(last) ? last.map((item) => [item.name as string, item]) : []);
  const out: Json[] = [];
  for (const item of live) {
    const name = item.name as string;
    const desiredItem = wanted.get(name);
    if (desiredItem) out.push(merge(item, desiredItem, lastItems.get(name), [...path, name]));
    else if (!lastItems.has(name)) out.push(item);
  }
  const present = new Set(live.map((item) => item.name as string));
  for (const item of desired) if (!present.has(item.name as string)) out.push(item);
  return out;
}

function hasUniqueNames(list: Json[]): list is JsonObject[] {
  const names = new Set<unknown>();
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string" || names.has(item.name)) return false;
    names.add(item.name);
  }
  return list.length > 0;
}

/** True when live holds every field of desired with an equal value (live may hold more). */
function covers(live: Json, desired: Json, path: string[]): boolean {
  if (isObject(desired)) {
    return isObject(live) && Object.entries(desired).every(([key, value]) => covers(live[key], value, [...path, key]));
  }
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => covers(live[i], item, path));
  }
  return sameScalar(live, desired, path);
}
