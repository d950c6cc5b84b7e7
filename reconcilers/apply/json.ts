/** A parsed JSON value, as manifests and API objects are. */
export type Json = unknown;
export type JsonObject = Record<string, Json>;

export const isObject = (value: Json): value is JsonObject => value !== null && typeof value === "object" && !Array.isArray(value);

/** Sets `key` as an own property, even "__proto__" (a valid ConfigMap key), which `out[key] = v` would not. */
export function define(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
