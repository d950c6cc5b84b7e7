import { groupOf, type KubeObject } from "../client/object.js";
import { sameQuantity } from "./quantity.js";

/**
 * Rewrites a desired object the way the API server would store it, where that is known and cheap, so a
 * comparison with live state finds no difference that the server itself made:
 * - Secret `stringData` becomes base64 `data` (the server never returns stringData);
 * - container, service and network-policy ports get the default `protocol: TCP` (built-in groups only: a
 *   custom resource's schema may not know the field, and the server would prune it every time);
 * - `status` is dropped: the applier owns spec, controllers own status;
 * - `null` values are dropped: in a manifest (`tolerations: null`, an empty YAML key) null means unset.
 */
export function normalizeDesired(desired: KubeObject): KubeObject {
  const obj = structuredClone(desired);
  delete obj.status;
  dropNulls(obj);
  if (obj.kind === "Secret" && obj.apiVersion === "v1" && obj.stringData) {
    const data = { ...(obj.data as Record<string, string> | undefined) };
    for (const [key, value] of Object.entries(obj.stringData as Record<string, string>)) {
      data[key] = Buffer.from(value, "utf8").toString("base64");
    }
    obj.data = data;
    delete obj.stringData;
  }
  if (PROTOCOL_DEFAULTED_GROUPS.has(groupOf(obj.apiVersion))) defaultPortProtocols(obj);
  return obj;
}

function dropNulls(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropNulls);
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (value === null) Reflect.deleteProperty(node, key);
    else dropNulls(value);
  }
}

const PROTOCOL_DEFAULTED_GROUPS = new Set(["", "apps", "batch", "networking.k8s.io", "discovery.k8s.io"]);

function defaultPortProtocols(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) defaultPortProtocols(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "ports" && Array.isArray(value)) {
      for (const port of value) {
        if (isPortSpec(port) && port.protocol === undefined) port.protocol = "TCP";
      }
    }
    defaultPortProtocols(value);
  }
}

function isPortSpec(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    ("containerPort" in value || ("port" in value && typeof (value as { port: unknown }).port !== "object"))
  );
}

// Fields whose values are resource quantities: containers' requests and limits, PVC and PV sizes, quotas,
// pod overhead, emptyDir size limits, and a LimitRange's bounds (spec.limits[].default, .max ...).
const QUANTITY_PARENTS = new Set(["requests", "limits", "capacity", "hard", "allocatable", "overhead"]);
const LIMIT_RANGE_BOUNDS = new Set(["default", "defaultRequest", "max", "min", "maxLimitRequestRatio"]);

function isQuantityField(path: readonly string[]): boolean {
  const parent = path[path.length - 2];
  if (path[path.length - 1] === "sizeLimit") return true;
  if (parent === undefined) return false;
  return QUANTITY_PARENTS.has(parent) || (LIMIT_RANGE_BOUNDS.has(parent) && path[path.length - 4] === "limits");
}

/**
 * Equality of two scalar values at a path, modulo the server's spellings: quantities ("0.5" = "500m")
 * under resource maps, and int-or-string fields (8080 = "8080").
 */
export function sameScalar(live: unknown, desired: unknown, path: readonly string[]): boolean {
  if (live === desired) return true;
  if (isQuantityField(path) && sameQuantity(live, desired)) return true;
  const mixed = (typeof live === "number" && typeof desired === "string") || (typeof live === "string" && typeof desired === "number");
  return mixed && String(live) === String(desired);
}
