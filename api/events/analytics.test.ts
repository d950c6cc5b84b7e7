import test from "ava";
import { parseRelayBody } from "./analytics-relay.js";
import { OneOffJobEvent } from "./one-off-job-event.js";
import { captureRequest } from "./posthog-capture.js";

const backend = { host: "https://eu.i.posthog.com", apiKey: "phc_test", installId: "2f1d8a0e-7c1b-4e53-9f57-1f0a4bd6a001", orchestVersion: "v2024.05.0" };

test("a capture carries the telemetry payload as an anonymous install, deduplicated by event id", (t) => {
  const event = new OneOffJobEvent({
    id: "9d5e3a52-8a3c-4f0a-b8c5-6a3f1f1e2b10",
    type: "project:one-off-job:started",
    timestamp: new Date("2024-05-01T10:00:00.000Z"),
    project: { uuid: "p", name: "secret project" },
    job: { uuid: "j", name: "secret job", pipelineName: "secret pipeline", status: "STARTED", envVariables: { KEY: "value" }, totalRuns: 3 },
  });
  const request = captureRequest(backend, { id: event.id, type: event.type, timestamp: event.timestamp.toISOString(), payload: { ...event.telemetryPayload() } });
  t.is(request.url, "https://eu.i.posthog.com/i/v0/e/");
  t.is(request.headers["content-type"], "application/json");
  const body = JSON.parse(request.body);
  t.like(body, {
    api_key: "phc_test",
    event: "project:one-off-job:started",
    distinct_id: backend.installId,
    uuid: event.id,
    timestamp: "2024-05-01T10:00:00.000Z",
    properties: {
      event_properties: { project: { uuid: "p", job: { uuid: "j", status: "STARTED", total_runs: 3 } } },
      derived_properties: { project: { job: { env_variables_count: 1 } } },
      app_properties: { orchest_version: "v2024.05.0" },
      $process_person_profile: false,
    },
  });
  t.false(request.body.includes("secret"));
});

const parse = (body: unknown) => parseRelayBody(Buffer.from(typeof body === "string" ? body : JSON.stringify(body)));

test("the relay accepts the front end's known events with their properties", (t) => {
  t.deepEqual(parse({ event: "view:loaded", properties: { view: "pipelines" } }), { ok: true, event: "view:loaded", properties: { view: "pipelines" } });
  t.deepEqual(parse({ event: "alert:shown" }), { ok: true, event: "alert:shown", properties: {} });
});

test("the relay answers 400 naming the field that is wrong", (t) => {
  t.like(parse({ event: "made:up" }), { ok: false, status: 400, field: "event", reason: '"made:up" is not a known event type' });
  t.like(parse({ event: "project:created" }), { ok: false, status: 400, field: "event", reason: '"project:created" is recorded by the api itself and cannot be relayed' });
  t.like(parse({ properties: {} }), { ok: false, status: 400, field: "event" });
  t.like(parse({ event: 42 }), { ok: false, status: 400, field: "event" });
  t.like(parse({ event: "view:loaded", properties: ["a"] }), { ok: false, status: 400, field: "properties" });
  t.like(parse({ event: "view:loaded", user: "me" }), { ok: false, status: 400, field: "user" });
  t.like(parse("[1]"), { ok: false, status: 400, field: "body" });
  t.like(parse("{"), { ok: false, status: 400, field: "body" });
});

test("the relay refuses bodies over the size limit", (t) => {
  const big = parseRelayBody(Buffer.from(JSON.stringify({ event: "view:loaded", properties: { pad: "x".repeat(20_000) } })));
  t.like(big, { ok: false, status: 413, field: "body" });
  t.regex(big.ok ? "" : big.reason, /the limit is 16384/);
});
