import test from "ava";
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { OneOffJobPipelineRunEvent } from "./one-off-job-event.js";
import { recordTransitions } from "./record-transitions.js";
import { createWebhook, deliveryHarness, header, listDeliveries, outboxFor } from "./test-support.js";
import { transitionEventId } from "./transition-event-id.js";

test("a transition recorded again from a stale cache, after its deliveries were sent and deleted, is neither recorded nor sent again", async (t) => {
  // Retention 0: a delivered record is deleted at once, so AlreadyExists cannot catch a second recording.
  const { ns, client, receiver, manager } = await deliveryHarness(t, "api-events-transitions", 0);
  await createWebhook(client, ns, "once", receiver.url);
  await manager.start();

  // A ConfigMap stands in for a run: what counts is its uid (the event ids) and its resourceVersion.
  const project = { uuid: randomUUID(), name: "churn" };
  const job = { uuid: randomUUID(), name: "nightly", pipelineName: "train", status: "STARTED" as const, envVariables: {}, totalRuns: 1 };
  const outbox = outboxFor(client, ns);
  const record = (run: KubeObject) =>
    recordTransitions(client, run, {}, { phase: "Running", startTime: new Date().toISOString() }, async (transition) => {
      const pipelineRun = { uuid: run.metadata.uid!, status: "STARTED" as const, parameters: {}, steps: [] };
      const id = transitionEventId(run.metadata.uid!, transition);
      await outbox.record(new OneOffJobPipelineRunEvent({ id, type: `project:one-off-job:pipeline-run:${transition}`, timestamp: new Date(), project, job, pipelineRun }));
    });
  const cached = await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "run", namespace: ns } });
  await record(cached);
  // The status that shows the transitions is written; the cache has not seen it yet.
  await client.patch({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "run" }, { data: { phase: "Running" } }, "merge");
  await waitFor("created and started to be sent and their records deleted", async () => receiver.received.length >= 2 && (await listDeliveries(client, ns)).length === 0, 30_000, 50);

  // A reconcile on the stale cache finds the same transitions again.
  await t.throwsAsync(record(cached), { message: /cached resourceVersion \d+ is behind/ });
  // A second recording would exist from the moment record() returned until it was sent: no record left means
  // none was made, or it was sent already (and is counted below).
  await waitFor("no delivery left", async () => (await listDeliveries(client, ns)).length === 0, 30_000, 50);
  const ids = receiver.received.map((request) => header(request, "webhook-id"));
  t.deepEqual(ids, [transitionEventId(cached.metadata.uid!, "created"), transitionEventId(cached.metadata.uid!, "started")], "each transition sent once");
});
