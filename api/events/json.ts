/** JSON values: what payloads are made of, so they survive the trip through etcd unchanged. */
export type JsonScalar = string | number | boolean | null;
export type JsonValue = JsonScalar | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of `target` with `part` merged into the object at `path`, creating the objects on the way. */
export function mergeAt(target: JsonObject, path: readonly string[], part: JsonObject): JsonObject {
  if (path.length === 0) return { ...target, ...part };
  const [head, ...rest] = path as [string, ...string[]];
  const child = target[head];
  return { ...target, [head]: mergeAt(isJsonObject(child) ? child : {}, rest, part) };
}
