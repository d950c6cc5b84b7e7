// The minimal shape of any Kubernetes object; the engine is untyped on purpose (any GVK, CRDs included).

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** Identifies one object of any kind; what an inventory stores. */
export interface ObjectRef extends GroupVersionKind {
  namespace?: string;
  name: string;
}

export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? "" };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** The group of an apiVersion: "" for the core group. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * A string identity for a ref that ignores the version: apps/v1 and apps/v1beta1 Deployments of the same
 * name are one object to the API server.
 */
export function refKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** The work-queue key of an object, as in client-go: "namespace/name", or "name" when cluster-scoped. */
export function objectKey(obj: { metadata: ObjectMeta } | { namespace?: string; name: string }): string {
  const meta = "metadata" in obj ? obj.metadata : obj;
  return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
}

/** A MicroTime (events, leases): RFC 3339 with exactly six fractional digits. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function parseObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
