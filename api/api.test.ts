import test from "ava";
import { KubeClient } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { createTestNamespace, useTestbed, type Testbed } from "../testbed/index.js";
import { installCrds } from "../operator/install.js";
import { startReceiver, type LoopbackReceiver, type ReceivedRequest } from "./events/loopback-receiver.js";
import { createWebhook, header, listDeliveries, outboxFor, pipelineRunEvents, recordAll } from "./events/test-support.js";
import { startApi, type ApiProcess } from "./api-process.js";

// The api as a process, on the test bed: killed mid-burst and restarted, and its HTTP server.
let tb: Testbed;
let client: KubeClient;
let ns: string;
const apis: ApiProcess[] = [];
const receivers: LoopbackReceiver[] = [];

test.before(async () => {
  tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "api-process");
  client = new KubeClient(tb.kubeConfig);
});

test.after.always(async () => {
  await Promise.all(apis.map((api) => api.kill()));
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function api(...args: string[]): Promise<ApiProcess> {
  const process = await startApi(tb.kubeconfigPath, [`--namespace=${ns}`, "--webhook-allow-loopback", "--webhook-timeout=500ms", "--retry-schedule=50ms,100ms,200ms", "--max-attempts=20", ...args]);
  apis.push(process);
  return process;
}

test.serial("the api SIGKILLed mid-burst and restarted: every delivery arrives, none is stuck, duplicates carry the same webhook-id", async (t) => {
  const accepted: ReceivedRequest[] = [];
  const receiver = await startReceiver((_, request) => {
    accepted.push(request);
    return { status: 200 };
  });
  receivers.push(receiver);
  await createWebhook(client, ns, "steady", receiver.url);
  const first = await api();
  const runs = pipelineRunEvents(100);
  const recording = recordAll(outboxFor(client, ns), runs, 8);
  await waitFor("a part of the burst to arrive", () => accepted.length >= 60, 60_000, 5);
  await first.kill();
  const atKill = accepted.length;
  await recording;
  const second = await api();

  const ids = new Set(runs.flat().map((event) => event.id));
  await waitFor("every event to arrive", () => new Set(accepted.map((r) => header(r, "webhook-id"))).size === ids.size, 120_000, 100);
  await waitFor("every record to be Delivered", async () => (await listDeliveries(client, ns)).every((d) => d.status?.phase === "Delivered"), 60_000, 200);
  const deliveries = await listDeliveries(client, ns);
  t.is(deliveries.length, ids.size, "one record per event, none lost");
  const webhookIdOf = new Map(deliveries.map((d) => [d.metadata!.name!, d.spec.event.id]));
  t.true(
    accepted.every((request) => header(request, "webhook-id") === webhookIdOf.get(header(request, "x-orchest-delivery"))),
    "every request, duplicates included, carries its event's id as webhook-id",
  );
  await second.stop(); // SIGTERM: a graceful stop, which the next test relies on (one api per namespace)
  t.log(`killed after ${atKill} of ${ids.size} deliveries; ${accepted.length - ids.size} duplicates after the restart (at-least-once)`);
});

test.serial("the HTTP server: health, readiness, metrics and the analytics relay with its 400, 413 and 429", async (t) => {
  const backend = await startReceiver(() => ({ status: 200 }));
  receivers.push(backend);
  // Telemetry on: the api makes the analytics Subscriber itself.
  const { url } = await api("--telemetry=true", `--analytics-backend=${backend.url}`, "--analytics-api-key=phc_test", "--install-id=install-7");
  t.is((await fetch(`${url}/healthz`)).status, 200);
  await waitFor("ready", async () => (await fetch(`${url}/readyz`)).status === 200, 30_000, 100);

  const relay = (body: string) => fetch(`${url}/analytics`, { method: "POST", body, headers: { "content-type": "application/json" } });
  t.is((await relay(JSON.stringify({ event: "view:loaded", properties: { view: "pipelines" } }))).status, 202);
  await waitFor("the relayed event at the analytics backend", () => backend.received.length === 1, 20_000, 100);
  t.like(JSON.parse(backend.received[0]!.body), { event: "view:loaded", distinct_id: "install-7", properties: { event_properties: { view: "pipelines" } } });
  const metrics = () => fetch(`${url}/metrics`).then((res) => res.text());
  await waitFor("the delivery counted", async () => /orchest_event_deliveries_total\{subscriber_type="Analytics",outcome="delivered"\} 1/.test(await metrics()), 10_000, 100);
  const text = await metrics();
  t.regex(text, /orchest_event_delivery_attempt_duration_seconds_count\{subscriber_type="Analytics",outcome="delivered"\} 1/);
  t.regex(text, /orchest_event_delivery_queue_depth\{phase="Pending"\} 0/);
  t.regex(text, /orchest_event_delivery_oldest_undelivered_seconds 0/);

  const unknown = await relay(JSON.stringify({ event: "project:created" }));
  t.is(unknown.status, 400);
  t.like(await unknown.json(), { field: "event" });
  const huge = await relay(JSON.stringify({ event: "view:loaded", properties: { pad: "x".repeat(64 * 1024) } }));
  t.is(huge.status, 413);
  const statuses = await Promise.all(Array.from({ length: 40 }, () => relay("{}").then((res) => res.status)));
  t.true(statuses.includes(429), "a burst over the limit is answered 429");
  t.is((await fetch(`${url}/nowhere`)).status, 404);
});
