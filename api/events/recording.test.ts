import test from "ava";
import { OneOffJobPipelineRunEvent } from "./one-off-job-event.js";
import { deliveriesFor, type Subscriber } from "./recording.js";
import { formatForUrl } from "./webhook-body.js";

const event = new OneOffJobPipelineRunEvent({
  id: "0f7c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4",
  type: "project:one-off-job:pipeline-run:failed",
  timestamp: new Date("2024-05-01T10:00:00.000Z"),
  project: { uuid: "p1", name: "churn" },
  job: { uuid: "j1", name: "nightly", pipelineName: "train", status: "STARTED", envVariables: {}, totalRuns: 2 },
  pipelineRun: { uuid: "r1", status: "FAILURE", parameters: {}, steps: [] },
});
const secretRef = { name: "hook-secrets", key: "alerts" };
const subscribers: Subscriber[] = [
  { kind: "Webhook", name: "alerts", url: "https://hooks.slack.com/services/T/B/X", secretRef, subscription: { eventTypes: ["project:one-off-job:*"], scope: { kind: "project", projectUuid: "p1" } } },
  { kind: "Webhook", name: "other-project", url: "https://example.com/h", secretRef, subscription: { eventTypes: ["*"], scope: { kind: "project", projectUuid: "p2" } } },
  { kind: "Webhook", name: "retired", url: "https://example.com/h", secretRef, subscription: { eventTypes: ["*"], scope: { kind: "all" } }, disabled: true },
  { kind: "Analytics", name: "analytics", installId: "install-1" },
];
const options = { namespace: "orchest", telemetryEnabled: true };

test("recording creates one delivery per subscriber that wants the event, with its payload snapshot", (t) => {
  const deliveries = deliveriesFor(event, subscribers, options);
  t.deepEqual(deliveries.map((d) => d.spec.subscriber.name), ["alerts", "analytics"]);
  const [webhook, analytics] = deliveries;
  t.like(webhook, {
    apiVersion: "orchest.io/v1alpha1",
    kind: "EventDelivery",
    metadata: { namespace: "orchest" },
    spec: {
      event: { id: event.id, type: event.type, timestamp: "2024-05-01T10:00:00.000Z", aggregate: "project.job.pipeline_run/r1" },
      subscriber: { type: "Webhook", url: "https://hooks.slack.com/services/T/B/X", secretRef, format: "slack" },
    },
  });
  t.deepEqual(webhook!.spec.event.payload, event.notificationPayload());
  t.deepEqual(analytics!.spec.event.payload, { ...event.telemetryPayload() });
  t.is(analytics!.spec.subscriber.url, undefined);
  t.is(analytics!.spec.subscriber.installId, "install-1");
});

test("recording the same event twice yields the same delivery names", (t) => {
  const names = () => deliveriesFor(event, subscribers, options).map((d) => d.metadata!.name);
  t.deepEqual(names(), names());
  t.is(new Set(names()).size, 2);
});

test("with telemetry off no analytics delivery is created at all", (t) => {
  const deliveries = deliveriesFor(event, subscribers, { ...options, telemetryEnabled: false });
  t.deepEqual(deliveries.map((d) => d.spec.subscriber.type), ["Webhook"]);
});

test("a webhook's message shape defaults to what its URL says, as in Orchest", (t) => {
  t.is(formatForUrl("https://hooks.slack.com/services/T/B/X"), "slack");
  t.is(formatForUrl("https://discord.com/api/webhooks/1/abc"), "discord");
  t.is(formatForUrl("https://corp.webhook.office.com/webhookb2/x"), "teams");
  t.is(formatForUrl("https://example.com/hooks"), "json");
});
