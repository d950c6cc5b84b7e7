import { createHash } from "node:crypto";

/** The UUID namespace of transition events (RFC 9562 name-based UUIDs), chosen once for orchest-gitops. */
const NAMESPACE = Buffer.from("6f1c2d3e8a4b4c5d9e0f1a2b3c4d5e6f", "hex");

/**
 * The id of the event of one transition (`created`, `started`, ...) of one run, build or session: a version-5
 * UUID of (its uid, transition). The same on every reconcile, so recording it again creates nothing new (the
 * delivery names derive from it), and a UUID like every other event id, for webhook-id and the analytics backend.
 */
export function transitionEventId(uid: string, transition: string): string {
  const bytes = createHash("sha1").update(NAMESPACE).update(`${uid}/${transition}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
