import { isClientEventType, isEventType, type ClientEventType } from "./event-types.js";
import { isJsonObject, type JsonObject } from "./json.js";

/** The front end's events are small; anything bigger is a bug or abuse. */
export const RELAY_BODY_LIMIT_BYTES = 16 * 1024;

export type RelayBody =
  | { ok: true; event: ClientEventType; properties: JsonObject }
  /** What to answer: the status, the offending field and why, for the front end's developers. */
  | { ok: false; status: 400 | 413; field: string; reason: string };

/**
 * Validates the body of the front end's `POST /analytics`: `{event, properties}`, where the event is one
 * of the client's known event types and properties an object (already anonymized by the client, as in
 * Orchest). Events the api records itself are refused, so that a browser cannot forge them.
 */
export function parseRelayBody(raw: Buffer, limitBytes = RELAY_BODY_LIMIT_BYTES): RelayBody {
  if (raw.byteLength > limitBytes) return refuse("body", `is ${raw.byteLength} bytes; the limit is ${limitBytes}`, 413);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    return refuse("body", `is not valid JSON (${(error as Error).message})`);
  }
  if (!isJsonObject(body)) return refuse("body", "must be a JSON object {event, properties}");
  const unknown = Object.keys(body).find((key) => key !== "event" && key !== "properties");
  if (unknown !== undefined) return refuse(unknown, "is not accepted; the body has only event and properties");

  const { event, properties = {} } = body;
  if (typeof event !== "string") return refuse("event", "is required and must be a string, e.g. view:loaded");
  if (isEventType(event)) return refuse("event", `"${event}" is recorded by the api itself and cannot be relayed`);
  if (!isClientEventType(event)) return refuse("event", `"${event}" is not a known event type`);
  if (!isJsonObject(properties)) return refuse("properties", "must be an object");
  return { ok: true, event, properties };
}

function refuse(field: string, reason: string, status: 400 | 413 = 400): RelayBody {
  return { ok: false, status, field, reason };
}
