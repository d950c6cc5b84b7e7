import test from "ava";
import fc from "fast-check";
import { anyEvent, SENSITIVE_MARK } from "./event-arbitraries.js";
import { EVENT_TYPES } from "./event-types.js";
import type { JsonValue } from "./json.js";
import { JOB_STATUSES, RUN_STATUSES } from "./statuses.js";

// The oracle, written independently of the event classes: every key telemetry may ever use.
const TELEMETRY_KEYS = new Set([
  "event_properties", "derived_properties",
  "uuid", "type", "timestamp", "status", "number",
  "project", "environment", "image_build", "pipeline", "session", "pipeline_run", "job", "run", "jupyter",
  "image_tag", "total_runs", "next_scheduled_time", "total_pipeline_runs",
  "uses_orchest_base_image", "user_services_count", "binds_count", "env_variables_count",
  "steps_count", "failed_steps_count", "pipeline_parameters_count", "step_parameters_count",
]);
const CLOSED_SET_VALUES = new Set<string>([...EVENT_TYPES, ...RUN_STATUSES, ...JOB_STATUSES]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Problems with one telemetry value: unknown keys, or strings that are not ids, times or closed-set values. */
function violations(value: JsonValue, path = "$"): string[] {
  if (typeof value === "string") {
    return UUID.test(value) || ISO_TIME.test(value) || CLOSED_SET_VALUES.has(value) ? [] : [`${path} = ${value}`];
  }
  if (Array.isArray(value)) return [`${path} is a list`];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    TELEMETRY_KEYS.has(key) ? violations(child, `${path}.${key}`) : [`${path}.${key} is not allow-listed`],
  );
}

test("no text a user typed ever reaches a telemetry payload", (t) => {
  fc.assert(
    fc.property(anyEvent, (event) => !JSON.stringify(event.telemetryPayload()).includes(SENSITIVE_MARK)),
    { numRuns: 500 },
  );
  t.pass();
});

test("telemetry carries only allow-listed keys, and only ids, times, statuses, numbers and flags", (t) => {
  fc.assert(
    fc.property(anyEvent, (event) => {
      const found = violations({ ...event.telemetryPayload() });
      if (found.length > 0) throw new Error(`${event.type}: ${found.join("; ")}`);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("the generated events do carry user text, which notifications show", (t) => {
  // Guards the two properties above against passing vacuously.
  fc.assert(
    fc.property(anyEvent, (event) => event.type.startsWith("jupyter:") || JSON.stringify(event.notificationPayload()).includes(SENSITIVE_MARK)),
    { numRuns: 200 },
  );
  t.pass();
});
