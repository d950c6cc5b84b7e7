import test from "ava";
import { Webhook } from "standardwebhooks";
import { installCrds } from "../../operator/install.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { AddressPolicy, addEventDeliveryController, DeliveryClient, SUBSCRIBER, type DeliveryController } from "../events/index.js";
import { startReceiver, type LoopbackReceiver, type ReceivedRequest } from "../events/loopback-receiver.js";
import { createWebhook, header, listDeliveries, outboxFor } from "../events/test-support.js";
import { addPipelineRunController, PIPELINE_RUN, type RunTransitionSink } from "./reconciler.js";
import { recordRunEvents } from "./run-event.js";
import { transitionEventId, type LifecycleTransition } from "../events/index.js";
import { drive, getRun, stepNodes } from "./test-support.js";

// The api's two controllers in one process on the test bed: PipelineRuns record their events through the
// outbox, EventDeliveries take them to a loopback webhook receiver and a loopback analytics backend.
let client: KubeClient;
let manager: Manager;
let deliveries: DeliveryController;
let http: DeliveryClient;
let ns: string;
let hooks: LoopbackReceiver;
let analytics: LoopbackReceiver;
let secret: string;
let record: RunTransitionSink;
const image = "orchest-env-events:1";
const SUCCEEDED: LifecycleTransition[] = ["created", "started", "succeeded"];
const FAILED: LifecycleTransition[] = ["created", "started", "failed"];
const names = ["churn secret project", "train secret pipeline", "load secret step", "clean secret step", "fit secret step"];

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "run-events");
  client = new KubeClient(tb.kubeConfig);
  await stepNodes(tb.kubeConfig, client, ns, image);
  [hooks, analytics] = await Promise.all([startReceiver(() => ({ status: 204 })), startReceiver(() => ({ status: 200 }))]);
  secret = await createWebhook(client, ns, "runs", hooks.url, { eventTypes: ["project:pipeline:interactive-session:pipeline-run:*"] });
  await client.create({ ...SUBSCRIBER, metadata: { name: "analytics", namespace: ns }, spec: { type: "Analytics", analytics: { installId: "install-7" } } } as KubeObject);

  manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api-run-events-test", logger: silentLogger });
  http = new DeliveryClient({ addressPolicy: new AddressPolicy(["127.0.0.0/8"]), timeoutMs: 2_000, maxSocketsPerEndpoint: 4 });
  deliveries = addEventDeliveryController(manager, {
    namespace: ns,
    http,
    retryPolicy: { scheduleMs: [50, 100, 200], maxAttempts: 10, jitter: 0.2, maxRetryAfterMs: 1000 },
    // Kept for the whole file: a record deleted after delivery could not refuse a second recording.
    retentionMs: 600_000,
    maxInFlightPerEndpoint: 4,
    analytics: { host: analytics.url, apiKey: "phc_test", orchestVersion: "v2022.10.5" },
  });
  record = recordRunEvents(outboxFor(client, ns, true));
  addPipelineRunController(manager, { namespace: ns, onTransition: record });
  await manager.start();
});

test.after.always(async () => {
  await deliveries?.stop();
  await manager?.stop();
  http?.close();
  client?.close();
  await Promise.all([hooks, analytics].map((receiver) => receiver?.close()));
});

const step = (uuid: string, title: string, dependsOn: string[] = []) => ({ uuid, title, image, command: ["python", `${uuid}.py`], dependsOn });
const steps = [step("load", names[2]!), step("clean", names[3]!, ["load"]), step("fit", names[4]!, ["clean"])];
const newRun = (name: string): KubeObject =>
  ({ ...PIPELINE_RUN, metadata: { name, namespace: ns }, spec: { mode: "Interactive", project: "proj-7", projectName: names[0], pipeline: { uuid: "pipe-7", path: "secret/train.orchest", name: names[1] }, steps } }) as KubeObject;

const bodyOf = (request: ReceivedRequest) => JSON.parse(request.body) as { type: string; project: { pipeline: { session: { pipeline_run: { uuid: string; status: string } } } } };
const hooksFor = (runUid: string) => hooks.received.filter((request) => bodyOf(request).project.pipeline.session.pipeline_run.uuid === runUid);
const capturesFor = (runUid: string) => analytics.received.filter((request) => request.body.includes(runUid));

/** Every delivery in the namespace ended (so no further request can come) and is not Failed. */
async function allDelivered(): Promise<boolean> {
  const all = await listDeliveries(client, ns);
  return all.length > 0 && all.every((delivery) => delivery.status?.phase === "Delivered");
}

test.serial("a 3-step interactive run delivers created, started and succeeded once each, signed, however often the controller re-reconciles", async (t) => {
  await client.create(newRun("three"));
  await drive(client, ns, "three");
  const run = await getRun(client, ns, "three");
  const uid = run.metadata!.uid!;
  // Re-reconciles: touches of the run, and a replay of every transition as after a crash between
  // recording the events and writing the status that shows them.
  for (const touch of ["1", "2", "3"]) await client.patch({ ...PIPELINE_RUN, namespace: ns, name: "three" }, { metadata: { annotations: { "test.orchest.io/touch": touch } } }, "merge");
  for (const transition of SUCCEEDED) await record(run, transition);
  await waitFor("the run's events to be delivered", async () => hooksFor(uid).length >= 3 && (await allDelivered()), 30_000, 100);

  const received = hooksFor(uid);
  t.deepEqual(received.map((request) => bodyOf(request).type), SUCCEEDED.map((what) => `project:pipeline:interactive-session:pipeline-run:${what}`));
  t.deepEqual(received.map((request) => header(request, "webhook-id")), SUCCEEDED.map((transition) => transitionEventId(uid, transition)));
  const verifier = new Webhook(secret);
  for (const request of received) t.notThrows(() => verifier.verify(request.body, request.headers as Record<string, string>));
  t.is(bodyOf(received[2]!).project.pipeline.session.pipeline_run.status, "SUCCESS");
  t.is(JSON.parse(received[0]!.body).project.name, names[0], "notifications carry the names");

  const captures = capturesFor(uid);
  t.is(captures.length, 3, "one analytics capture per event");
  for (const capture of captures) for (const name of [...names, "secret/train.orchest"]) t.false(capture.body.includes(name), `telemetry without "${name}"`);
  t.like(JSON.parse(captures[2]!.body).properties.derived_properties, { project: { pipeline: { session: { pipeline_run: { steps_count: 3, failed_steps_count: 0 } } } } });
});

test.serial("a failing step delivers the failed event", async (t) => {
  await client.create(newRun("failing"));
  await drive(client, ns, "failing", new Set(["clean"]));
  const uid = (await getRun(client, ns, "failing")).metadata!.uid!;
  await waitFor("the run's events to be delivered", async () => hooksFor(uid).length >= 3 && (await allDelivered()), 30_000, 100);
  const received = hooksFor(uid);
  t.deepEqual(received.map((request) => bodyOf(request).type.split(":").at(-1)), FAILED);
  t.is(bodyOf(received[2]!).project.pipeline.session.pipeline_run.status, "FAILURE");
  t.deepEqual(JSON.parse(received[2]!.body).project.pipeline.session.pipeline_run.failed_steps, [{ uuid: "clean", title: names[3] }]);
});
