/**
 * Removes the zero values cdk8s-plus renders but the API server does not
 * store, and the label cdk8s-plus uses to tie pods to constructs (fields with `omitempty`): left in, they would read as drift on every
 * comparison of desired against live state. Found by comparing synthesized
 * objects with what kube-apiserver returns for them.
 */

type Json = Record<string, unknown>;

/** Paths (`*` = every array item) and the zero value to drop there. */
const ZERO_FIELDS: readonly { readonly kinds: readonly string[]; readonly path: readonly string[]; readonly zero: unknown }[] = [
  { kinds: ["Deployment", "StatefulSet", "DaemonSet"], path: ["spec", "minReadySeconds"], zero: 0 },
  { kinds: ["Deployment", "StatefulSet", "DaemonSet"], path: ["spec", "template", "spec", "hostNetwork"], zero: false },
  { kinds: ["Deployment", "StatefulSet", "DaemonSet"], path: ["spec", "template", "spec", "volumes", "*", "persistentVolumeClaim", "readOnly"], zero: false },
  { kinds: ["Role", "ClusterRole"], path: ["rules", "*", "resourceNames"], zero: [] },
  { kinds: ["RoleBinding", "ClusterRoleBinding"], path: ["subjects", "*", "apiGroup"], zero: "" },
  { kinds: ["Secret"], path: ["stringData"], zero: {} },
  { kinds: ["Service"], path: ["spec", "externalIPs"], zero: [] },
  // An empty value (Orchest's K8S_DISTRO when no distribution is detected) is stored as no value.
  { kinds: ["Deployment", "StatefulSet", "DaemonSet"], path: ["spec", "template", "spec", "containers", "*", "env", "*", "value"], zero: "" },
  { kinds: ["Pod"], path: ["spec", "containers", "*", "env", "*", "value"], zero: "" },
];

function isZero(value: unknown, zero: unknown): boolean {
  if (Array.isArray(zero)) return Array.isArray(value) && value.length === 0;
  if (typeof zero === "object" && zero !== null) {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
  }
  return value === zero;
}

function drop(node: unknown, path: readonly string[], zero: unknown): void {
  if (node === null || typeof node !== "object") return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === "*") {
    if (Array.isArray(node)) for (const item of node) drop(item, rest, zero);
    return;
  }
  const obj = node as Json;
  if (!(head in obj)) return;
  if (rest.length === 0) {
    if (isZero(obj[head], zero)) delete obj[head];
    return;
  }
  drop(obj[head], rest, zero);
}

/** Label cdk8s-plus puts on pod templates (and, through StatefulSet `service`, on Service selectors). */
export const CDK8S_ADDRESS_LABEL = "cdk8s.io/metadata.addr";

/** Maps holding the cdk8s address label; removing it keeps the output independent of construct paths. */
const ADDRESS_LABEL_MAPS: readonly { readonly kinds: readonly string[]; readonly path: readonly string[] }[] = [
  { kinds: ["Deployment", "StatefulSet", "DaemonSet"], path: ["spec", "template", "metadata", "labels"] },
  { kinds: ["Service"], path: ["spec", "selector"] },
];

function at(node: unknown, path: readonly string[]): unknown {
  let cur = node;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

/**
 * Removes server-dropped zero values and the cdk8s address label from a
 * synthesized object, in place; returns it.
 */
export function tidy<T extends { kind?: unknown }>(obj: T): T {
  if (typeof obj.kind !== "string") return obj;
  for (const f of ZERO_FIELDS) {
    if (f.kinds.includes(obj.kind)) drop(obj, f.path, f.zero);
  }
  for (const m of ADDRESS_LABEL_MAPS) {
    if (!m.kinds.includes(obj.kind)) continue;
    const map = at(obj, m.path);
    if (map !== null && typeof map === "object") delete (map as Json)[CDK8S_ADDRESS_LABEL];
  }
  return obj;
}
