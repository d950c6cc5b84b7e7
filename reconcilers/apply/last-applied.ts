import { createHash } from "node:crypto";
import type { GroupVersionKind, KubeObject } from "../client/object.js";
import { byKey, mergeKeysOf } from "./merge-keys.js";

/**
 * What an apply set, without the values: enough to remove, next time, the fields it no longer sets, and no
 * more, so that the record of a large ConfigMap or CRD stays far below the annotation limit.
 * - a number (1): a value we set;
 * - a string: the digest of an atomic list we set (replaced as a whole, so a change of it must be seen);
 * - an object: the fields we set in an object, or the items we set in a keyed list (by item key).
 */
export type FieldSet = number | string | { [key: string]: FieldSet };

/** The API server refuses objects whose annotations (keys and values) take more bytes than this. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/** JSON with sorted keys: the same desired object always gives the same annotation text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A short digest of a value: tells whether an atomic list changed without storing it. */
export function digest(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("base64url").slice(0, 16);
}

/** The fields of `value` (at `path` in an object of `type`), as merge will match them against live state. */
export function fieldsOf(type: GroupVersionKind, value: unknown, path: string[] = []): FieldSet {
  if (Array.isArray(value)) {
    const keys = mergeKeysOf(type, path);
    const items = keys && byKey(value, keys);
    if (!items) return digest(value);
    return Object.fromEntries([...items].map(([key, item]) => [key, fieldsOf(type, item, [...path, "*"])]));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, fieldsOf(type, child, [...path, key])]));
  }
  return 1;
}

/** What we applied last time, as recorded on the live object; undefined if we never applied it. */
export function readLastApplied(live: KubeObject, annotation: string): FieldSet | undefined {
  const text = live.metadata.annotations?.[annotation];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as FieldSet;
  } catch {
    return undefined;
  }
}

/**
 * Desired plus the annotation that records its fields (minus the annotation itself). Refuses, before the
 * API server would, an object whose annotations would exceed the server's limit.
 */
export function withLastApplied(desired: KubeObject, annotation: string): KubeObject {
  const record = structuredClone(desired);
  if (record.metadata.annotations) {
    delete record.metadata.annotations[annotation];
    if (Object.keys(record.metadata.annotations).length === 0) delete record.metadata.annotations;
  }
  const text = stableStringify(fieldsOf(desired, record));
  const annotations = { ...desired.metadata.annotations, [annotation]: text };
  const bytes = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
  if (bytes > ANNOTATIONS_LIMIT_BYTES) {
    const where = `${desired.kind} ${desired.metadata.namespace ? `${desired.metadata.namespace}/` : ""}${desired.metadata.name}`;
    throw new Error(
      `${where}: metadata.annotations would take ${bytes} bytes, over the API server's limit of ${ANNOTATIONS_LIMIT_BYTES} (256 KiB); ` +
        `${Buffer.byteLength(text)} of them are the applier's record ${annotation} (one entry per field set). ` +
        "Fix: move large values out of annotations, or split the object.",
    );
  }
  return { ...desired, metadata: { ...desired.metadata, annotations } };
}
