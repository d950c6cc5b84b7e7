import type { SharedInformers } from "../cache/shared-informers.js";
import type { KubeClient } from "../client/client.js";
import { objectKey, type KubeObject, type ObjectRef } from "../client/object.js";

/** Where the applier reads live state. */
export interface LiveReader {
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
}

export interface CacheReaderOptions {
  /** Caches only objects with these labels (e.g. the applier's ownership labels): a cache of Secrets holds ours only. */
  labelSelector?: string;
  /** A type whose cache has not synced by then fails the read; controller-runtime's CacheSyncTimeout, 2 minutes. */
  syncTimeoutMs?: number;
}

/**
 * Reads through the shared cache: no request per object once the type's informer has synced. One informer
 * per type, cluster-wide, so reads in any number of namespaces share one list and one watch. An object
 * outside the label scope reads as absent: a create of it meets AlreadyExists, and the applier reads it
 * from the server. A type that cannot sync (no such CRD, no RBAC to list and watch it) fails the read with
 * its name, and its informer is removed, so the next read starts afresh instead of waiting forever.
 * Give it the scope of the controller's own watch of the kind: the event that starts a reconcile and the
 * read it makes then come from one cache, which cannot be behind itself.
 */
export function cacheReader(informers: SharedInformers, options: CacheReaderOptions = {}): LiveReader {
  const scope = options.labelSelector ? { labelSelector: options.labelSelector } : {};
  const timeoutMs = options.syncTimeoutMs ?? 120_000;
  return {
    async get(ref) {
      const informer = informers.informerFor(ref, scope);
      informer.start();
      if (!(await informer.waitForSync(AbortSignal.timeout(timeoutMs)))) {
        await informers.remove(ref, scope);
        throw new Error(
          `the cache of ${ref.kind} (${ref.apiVersion}) did not sync within ${timeoutMs} ms. ` +
            "Fix: check that the kind exists (its CRD installed) and that RBAC lets this client list and watch it in all namespaces.",
        );
      }
      return informer.get(objectKey(ref));
    },
  };
}

/** Reads from the API server: one GET per object, always fresh. */
export function apiReader(client: KubeClient): LiveReader {
  return { get: (ref) => client.get(ref) };
}
