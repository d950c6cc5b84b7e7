import { isAlreadyExists, isNotFound } from "./errors.js";
import { resourcePath, ResourceMapper } from "./discovery.js";
import type { GroupVersionKind, KubeObject, ObjectRef } from "./object.js";
import type { KubeAccess } from "./kubeconfig.js";
import { Transport, type TransportOptions } from "./transport.js";

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ObjectList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

export type PatchType = "json" | "merge";

/** Per call: aborting the signal abandons the request (the transport's timeout bounds it either way). */
export interface CallOptions {
  signal?: AbortSignal;
}

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
};

export interface DeleteOptions {
  /** Refuses to delete a different object that took the same name (delete + recreate). */
  uid?: string;
  resourceVersion?: string;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/** Verbs on any kind: the transport plus discovery. */
export class KubeClient {
  readonly transport: Transport;
  readonly mapper: ResourceMapper;

  constructor(kubeConfig: KubeAccess, options: TransportOptions = {}) {
    this.transport = new Transport(kubeConfig, options);
    this.mapper = new ResourceMapper(this.transport);
  }

  get counter() {
    return this.transport.counter;
  }

  async path(ref: GroupVersionKind & { namespace?: string; name?: string }, subresource?: string): Promise<string> {
    const resource = await this.mapper.resourceFor(ref);
    return resourcePath(resource, { namespace: ref.namespace, name: ref.name, subresource });
  }

  /** The object, or undefined when it does not exist. */
  async get(ref: ObjectRef, options: CallOptions = {}): Promise<KubeObject | undefined> {
    try {
      return await this.transport.request<KubeObject>("GET", await this.path(ref), options);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One page of a list; callers page with `continue`. Items get their apiVersion and kind back. */
  async list(gvk: GroupVersionKind, options: ListOptions = {}): Promise<ObjectList> {
    const { namespace, ...query } = options;
    const list = await this.transport.request<ObjectList>("GET", await this.path({ ...gvk, namespace }), { query });
    for (const item of list.items) {
      item.apiVersion = gvk.apiVersion;
      item.kind = gvk.kind;
    }
    return list;
  }

  async create(obj: KubeObject, options: CallOptions = {}): Promise<KubeObject> {
    const path = await this.path({ ...obj, namespace: obj.metadata.namespace });
    return this.transport.request<KubeObject>("POST", path, { ...options, body: obj });
  }

  /**
   * Creates `obj` unless an object of its name exists: resolves to the created object, or undefined when it was
   * there (made by an earlier reconcile that a lagging cache does not show yet, or by a retry after a crash).
   */
  async createIfAbsent(obj: KubeObject, options: CallOptions = {}): Promise<KubeObject | undefined> {
    try {
      return await this.create(obj, options);
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  async replace(obj: KubeObject, options: CallOptions & { subresource?: string } = {}): Promise<KubeObject> {
    const path = await this.path({ ...obj, namespace: obj.metadata.namespace, name: obj.metadata.name }, options.subresource);
    return this.transport.request<KubeObject>("PUT", path, { body: obj, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async patch(ref: ObjectRef, patch: unknown, type: PatchType, subresource?: string): Promise<KubeObject> {
    const path = await this.path(ref, subresource);
    return this.transport.request<KubeObject>("PATCH", path, { body: patch, contentType: PATCH_CONTENT_TYPE[type] });
  }

  /** Deletes the object; true when it was there. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const preconditions =
      options.uid || options.resourceVersion ? { uid: options.uid, resourceVersion: options.resourceVersion } : undefined;
    const body = { apiVersion: "v1", kind: "DeleteOptions", preconditions, propagationPolicy: options.propagationPolicy };
    try {
      await this.transport.request("DELETE", await this.path(ref), { body });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Deletes every object of the collection that matches the selectors, in one request; resolves to the list of
   * what was deleted. The apiserver evaluates the selectors once, when it lists: an object that starts to match
   * afterwards is not deleted.
   */
  async deleteCollection(gvk: GroupVersionKind, options: Pick<ListOptions, "namespace" | "labelSelector" | "fieldSelector"> & Pick<DeleteOptions, "propagationPolicy">): Promise<ObjectList> {
    const { namespace, propagationPolicy, ...query } = options;
    const body = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy };
    return this.transport.request<ObjectList>("DELETE", await this.path({ ...gvk, namespace }), { query, body });
  }

  close(): void {
    this.transport.close();
  }
}
