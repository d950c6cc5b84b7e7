import { createHash } from "node:crypto";

const MAX_SLUG = 40;

/**
 * Name of the EventDelivery of one event to one subscriber. Derived from the pair only, so recording the
 * same event twice creates the same name and the API server refuses the duplicate: delivered once.
 * A valid DNS-1123 subdomain whatever the inputs: a readable slug of the subscriber for kubectl, then a
 * hash of the exact pair (JSON-encoded so that ("a-b", "c") and ("a", "b-c") differ).
 */
export function deliveryName(eventId: string, subscriber: string): string {
  const hash = createHash("sha256").update(JSON.stringify([eventId, subscriber])).digest("hex").slice(0, 32);
  const slug = subscriber
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, MAX_SLUG)
    .replace(/^-+|-+$/g, "");
  return slug ? `${slug}-${hash}` : `ed-${hash}`;
}
