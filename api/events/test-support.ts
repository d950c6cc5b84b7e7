// Test support on the test bed: pipeline-run events in order, webhook Subscribers with their Secrets, and
// what loopback receivers got.
import { randomBytes, randomUUID } from "node:crypto";
import type { EventDelivery } from "../../crds/types/index.js";
import type { ExecutionContext } from "ava";
import { installCrds } from "../../operator/install.js";
import { KubeClient, Manager, silentLogger, WRITE_VERBS, type KubeObject, type RequestCounter, type RequestRecord, type Verb } from "../../reconcilers/index.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { AddressPolicy } from "./address-policy.js";
import { DeliveryClient } from "./delivery-client.js";
import { addEventDeliveryController, EVENT_DELIVERY, type DeliveryController } from "./delivery-controller.js";
import { startReceiver, type LoopbackReceiver } from "./loopback-receiver.js";
import { asDelivery, asSubscriber } from "./kube-objects.js";
import type { ReceivedRequest } from "./loopback-receiver.js";
import { OneOffJobPipelineRunEvent } from "./one-off-job-event.js";
import { Outbox } from "./outbox.js";
import { SUBSCRIBER } from "./subscriber-resource.js";

const RUN_LIFECYCLE = ["created", "started", "failed", "deleted"] as const;

/** `runs` pipeline runs of one job, each with its four lifecycle events in order (4·runs events). */
export function pipelineRunEvents(runs: number): OneOffJobPipelineRunEvent[][] {
  const project = { uuid: randomUUID(), name: "churn" };
  const job = { uuid: randomUUID(), name: "nightly", pipelineName: "train", status: "STARTED" as const, envVariables: {}, totalRuns: runs };
  const start = Date.now();
  return Array.from({ length: runs }, (_, run) => {
    const pipelineRun = { uuid: randomUUID(), status: "STARTED" as const, parameters: { alpha: run }, steps: [] };
    return RUN_LIFECYCLE.map(
      (what, i) =>
        new OneOffJobPipelineRunEvent({ id: randomUUID(), type: `project:one-off-job:pipeline-run:${what}`, timestamp: new Date(start + run + i * 1000), project, job, pipelineRun }),
    );
  });
}

/** Records each run's events in order, `parallel` runs at a time; returns when every delivery is stored. */
export async function recordAll(outbox: Pick<Outbox, "record">, runs: OneOffJobPipelineRunEvent[][], parallel = 16): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < runs.length) for (const event of runs[next++]!) await outbox.record(event);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** A webhook Subscriber for every event, and the Secret with its signing secret. */
export async function createWebhook(client: KubeClient, namespace: string, name: string, url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const secret = newSecret();
  await client.create({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, stringData: { secret } });
  await client.create({
    ...SUBSCRIBER,
    metadata: { name, namespace },
    spec: { type: "Webhook", webhook: { url, secretRef: { name }, eventTypes: ["*"], format: "json", ...extra } },
  } as KubeObject);
  return secret;
}

/** An outbox reading Subscribers straight from the apiserver. */
export function outboxFor(client: KubeClient, namespace: string, analytics = false): Outbox {
  return new Outbox({ client, namespace, analytics, subscribers: async () => (await client.list(SUBSCRIBER, { namespace })).items.map(asSubscriber) });
}

export async function listDeliveries(client: KubeClient, namespace: string): Promise<EventDelivery[]> {
  return (await client.list(EVENT_DELIVERY, { namespace })).items.map(asDelivery);
}

export const header = (request: ReceivedRequest, name: string) => request.headers[name] as string;

/** A delivery controller in a fresh namespace of the test bed, its manager not started yet, and a receiver answering 204. */
export interface DeliveryHarness {
  readonly ns: string;
  readonly client: KubeClient;
  readonly receiver: LoopbackReceiver;
  readonly manager: Manager;
  readonly deliveries: DeliveryController;
}

/** Sets up a DeliveryHarness (fast retries, 4 attempts per endpoint) and stops it when the test ends. */
export async function deliveryHarness(t: ExecutionContext, namespacePrefix: string, retentionMs: number): Promise<DeliveryHarness> {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, namespacePrefix);
  const client = new KubeClient(tb.kubeConfig);
  const receiver = await startReceiver(() => ({ status: 204 }));
  const http = new DeliveryClient({ addressPolicy: new AddressPolicy(["127.0.0.0/8"]), maxSocketsPerEndpoint: 4 });
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api", logger: silentLogger });
  const retryPolicy = { scheduleMs: [20, 50], maxAttempts: 5, jitter: 0.2, maxRetryAfterMs: 1000 };
  const deliveries = addEventDeliveryController(manager, { namespace: ns, http, retryPolicy, retentionMs, maxInFlightPerEndpoint: 4, workers: 4 });
  t.teardown(async () => {
    await deliveries.stop();
    await manager.stop();
    http.close();
    client.close();
    await receiver.close();
  });
  return { ns, client, receiver, manager, deliveries };
}

/** The writes a client sends from now on: how many of a verb the apiserver applied, and those it refused. */
export function recordWrites(counter: RequestCounter): { applied(verb: Verb): number; refused(): RequestRecord[] } {
  const writes: RequestRecord[] = [];
  counter.onRequest((record) => {
    if (WRITE_VERBS.includes(record.verb)) writes.push(record);
  });
  return {
    // Status 0 is a request that got no answer (a failed connection): the client sends it again, so only a 2xx counts.
    applied: (verb) => writes.filter((w) => w.verb === verb && w.status >= 200 && w.status < 300).length,
    refused: () => writes.filter((w) => w.status >= 300),
  };
}
