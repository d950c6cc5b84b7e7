import type { KubeObject } from "../client/object.js";

/** JSON with sorted keys: the same desired object always gives the same annotation text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What we applied last time, as recorded on the live object; undefined if we never applied it. */
export function readLastApplied(live: KubeObject, annotation: string): KubeObject | undefined {
  const text = live.metadata.annotations?.[annotation];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    return undefined;
  }
}

/** Desired plus the annotation that records it (minus itself), so the next apply knows what it owned. */
export function withLastApplied(desired: KubeObject, annotation: string): KubeObject {
  const record = structuredClone(desired);
  if (record.metadata.annotations) {
    delete record.metadata.annotations[annotation];
    if (Object.keys(record.metadata.annotations).length === 0) delete record.metadata.annotations;
  }
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata.annotations, [annotation]: stableStringify(record) },
    },
  };
}
