import jsonpatch from "fast-json-patch";
import type { KubeClient } from "../client/client.js";
import { refOf, type KubeObject } from "../client/object.js";

/**
 * Writes `status` through the status subresource only when it differs from the object's current status,
 * so a reconcile that changes nothing writes nothing. Returns the written object, or undefined if skipped.
 */
export async function updateStatus(client: KubeClient, obj: KubeObject, status: Record<string, unknown>): Promise<KubeObject | undefined> {
  if (jsonpatch.compare((obj.status ?? {}) as object, status).length === 0) return undefined;
  return client.patch(refOf(obj), { status }, "merge", "status");
}
