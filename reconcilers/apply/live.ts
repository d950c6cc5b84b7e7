import type { SharedInformers } from "../cache/shared-informers.js";
import type { KubeClient } from "../client/client.js";
import { objectKey, type KubeObject, type ObjectRef } from "../client/object.js";

/** Where the applier reads live state. */
export interface LiveReader {
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
}

/** Reads through the shared cache: no request per object once the type's informer has synced. */
export function cacheReader(informers: SharedInformers): LiveReader {
  return {
    async get(ref) {
      const informer = informers.informerFor(ref, { namespace: ref.namespace });
      informer.start();
      await informer.waitForSync();
      return informer.get(objectKey(ref));
    },
  };
}

/** Reads from the API server: one GET per object, always fresh. */
export function apiReader(client: KubeClient): LiveReader {
  return { get: (ref) => client.get(ref) };
}
