import jsonpatch from "fast-json-patch";
import type { GroupVersionKind, KubeObject } from "../client/object.js";
import { define, isObject, type Json, type JsonObject } from "./json.js";
import { digest, type FieldSet } from "./last-applied.js";
import { byKey, mergeKeysOf } from "./merge-keys.js";
import { sameScalar } from "./normalize.js";

export type PatchOperation = jsonpatch.Operation;

/**
 * The live object as it should be: live, with every field we set brought to its desired value and every
 * field we set last time but no longer set removed. Fields we never set (server defaults, other writers'
 * labels, status) are left as they are, so the server's defaulting never looks like drift.
 *
 * - Objects merge key by key. A zero value we set (0, false, "", an empty map or list) that live lacks is
 *   not drift: the server drops them (omitempty).
 * - Lists with merge keys (strategic merge's: `name` for containers, `mountPath` for volume mounts,
 *   `containerPort` + `protocol` for ports ...; `name` in custom resources) merge item by item: ours in
 *   desired's order (init containers run in order), updated; ours dropped from desired removed; other
 *   writers' items kept after the item they followed.
 * - Other lists are atomic: kept when live covers desired item by item (extra defaulted fields allowed),
 *   replaced by desired otherwise, or when desired changed since the last apply.
 * - Scalars compare modulo the server's spellings (quantities, int-or-string).
 */
export function mergeOwned(live: KubeObject, desired: KubeObject, lastApplied: FieldSet | undefined): JsonObject {
  return mergeObject(desired, live, desired, lastApplied, []);
}

/** The JSON patch that turns live into desired, guarded by live's resourceVersion; [] when nothing differs. */
export function diff(live: KubeObject, desired: KubeObject, lastApplied: FieldSet | undefined): PatchOperation[] {
  const operations = jsonpatch.compare(live, mergeOwned(live, desired, lastApplied));
  if (operations.length === 0) return [];
  return [{ op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion }, ...operations];
}

function merge(type: GroupVersionKind, live: Json, desired: Json, last: FieldSet | undefined, path: string[]): Json {
  if (isObject(desired)) return isObject(live) ? mergeObject(type, live, desired, last, path) : desired;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired;
    const keys = mergeKeysOf(type, path);
    const wanted = keys && byKey(desired, keys);
    const present = keys && byKey(live, keys);
    if (wanted && present) return mergeKeyed(type, present, wanted, last, path);
    const unchangedSinceLastApply = last === undefined || last === digest(desired);
    return unchangedSinceLastApply && covers(live, desired, path) ? live : desired;
  }
  return live !== undefined && sameScalar(live, desired, path) ? live : desired;
}

function mergeObject(type: GroupVersionKind, live: JsonObject, desired: JsonObject, last: FieldSet | undefined, path: string[]): JsonObject {
  const owned = isObject(last) ? last : undefined;
  const out: JsonObject = { ...live };
  for (const [key, value] of Object.entries(desired)) {
    const ownedBefore = owned !== undefined && Object.hasOwn(owned, key);
    // We asked for this zero value before, and the server dropped it (omitempty): not drift.
    if (live[key] === undefined && ownedBefore && isZero(value)) continue;
    define(out, key, merge(type, live[key], value, ownedBefore ? owned[key] : undefined, [...path, key]));
  }
  if (owned) for (const key of Object.keys(owned)) if (!Object.hasOwn(desired, key)) delete out[key];
  return out;
}

/** Live and desired items by merge key, each in its list's order. */
function mergeKeyed(type: GroupVersionKind, live: Map<string, Json>, wanted: Map<string, Json>, last: FieldSet | undefined, path: string[]): Json[] {
  const owned = isObject(last) ? last : {};
  // Items of other writers keep their place: at the head, after the item of ours they followed, or at the end.
  const foreignAfter = new Map<string | undefined, Json[]>();
  let anchor: string | undefined;
  let pending: Json[] = [];
  for (const [key, item] of live) {
    if (wanted.has(key)) {
      foreignAfter.set(anchor, pending);
      [anchor, pending] = [key, []];
    } else if (!Object.hasOwn(owned, key)) pending.push(item);
  }
  const out: Json[] = [...(foreignAfter.get(undefined) ?? [])];
  for (const [key, item] of wanted) {
    out.push(merge(type, live.get(key), item, Object.hasOwn(owned, key) ? owned[key] : undefined, [...path, "*"]));
    out.push(...(foreignAfter.get(key) ?? []));
  }
  return [...out, ...pending];
}

function isZero(value: Json): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return value === 0 || value === false || value === "";
}

/** True when live holds every field of desired with an equal value (live may hold more). */
function covers(live: Json, desired: Json, path: string[]): boolean {
  if (isObject(desired)) {
    return isObject(live) && Object.entries(desired).every(([key, value]) => covers(live[key], value, [...path, key]));
  }
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => covers(live[i], item, [...path, "*"]));
  }
  return sameScalar(live, desired, path);
}
