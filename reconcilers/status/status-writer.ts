import jsonpatch from "fast-json-patch";
import type { KubeClient } from "../client/client.js";
import { ApiError, isApiError } from "../client/errors.js";
import { refOf, type KubeObject } from "../client/object.js";

/**
 * Writes `status` through the status subresource as a JSON patch from the object's current status, so
 * keys we stop setting are removed, and only when something differs: a reconcile that changes nothing
 * writes nothing. The patch tests the object's resourceVersion: a reconcile that read a stale object (a
 * lagging cache) cannot move a status back; it gets a 409 Conflict and is retried on fresh state.
 * Returns the written object, or undefined if nothing changed.
 */
export async function updateStatus(client: KubeClient, obj: KubeObject, status: Record<string, unknown>): Promise<KubeObject | undefined> {
  const current = obj.status;
  const hasStatus = current !== null && typeof current === "object" && !Array.isArray(current);
  const changes = hasStatus
    ? jsonpatch.compare(current, status).map((op) => ({ ...op, path: `/status${op.path}` }))
    : Object.keys(status).length > 0
      ? [{ op: "add" as const, path: "/status", value: status }]
      : [];
  if (changes.length === 0) return undefined;
  const ref = refOf(obj);
  try {
    return await client.patch(ref, [{ op: "test", path: "/metadata/resourceVersion", value: obj.metadata.resourceVersion }, ...changes], "json", "status");
  } catch (err) {
    // A failed `test` is a 422, like an invalid status: only the object's current version tells them apart.
    if (!isApiError(err, 422) || (await client.get(ref))?.metadata.resourceVersion === obj.metadata.resourceVersion) throw err;
    throw new ApiError(409, "Conflict", `the object changed since resourceVersion ${obj.metadata.resourceVersion} was read; the status write is retried on fresh state`, err.method, err.path);
  }
}
