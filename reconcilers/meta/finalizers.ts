import type { KubeClient } from "../client/client.js";
import { refOf, type KubeObject } from "../client/object.js";

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** Adds a finalizer with a patch guarded by resourceVersion; a no-op (no request) when it is there. */
export async function addFinalizer(client: KubeClient, obj: KubeObject, finalizer: string): Promise<KubeObject> {
  if (hasFinalizer(obj, finalizer)) return obj;
  const patch = obj.metadata.finalizers
    ? [{ op: "add", path: "/metadata/finalizers/-", value: finalizer }]
    : [{ op: "add", path: "/metadata/finalizers", value: [finalizer] }];
  return client.patch(refOf(obj), [resourceVersionTest(obj), ...patch], "json");
}

/** Removes a finalizer with a patch guarded by resourceVersion; a no-op when it is not there. */
export async function removeFinalizer(client: KubeClient, obj: KubeObject, finalizer: string): Promise<KubeObject> {
  const index = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return obj;
  return client.patch(refOf(obj), [resourceVersionTest(obj), { op: "remove", path: `/metadata/finalizers/${index}` }], "json");
}

// Removing by index is only safe on the list we read: the test makes a concurrent change fail with a conflict.
function resourceVersionTest(obj: KubeObject) {
  return { op: "test", path: "/metadata/resourceVersion", value: obj.metadata.resourceVersion };
}
