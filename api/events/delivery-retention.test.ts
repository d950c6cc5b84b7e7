import test from "ava";
import type { KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { EVENT_DELIVERY } from "./delivery-controller.js";
import { createWebhook, deliveryHarness, header, listDeliveries, outboxFor, pipelineRunEvents, recordAll, recordWrites } from "./test-support.js";

// A cache a moment behind may repeat a write the apiserver then refuses (404 on a record already deleted, 409 on
// one already created or changed): nothing changes. What counts is what the apiserver applied.
const STALE = new Set([404, 409]);

test("retention 0: a delivered record is deleted instead of marked Delivered, each event is sent once, in order per run, with two writes per delivery", async (t) => {
  const { ns, client, receiver, manager } = await deliveryHarness(t, "api-events-retention", 0);
  await createWebhook(client, ns, "prompt", receiver.url);
  await manager.start();

  const runs = pipelineRunEvents(50);
  const writes = recordWrites(manager.client.counter);
  await recordAll(outboxFor(manager.client, ns), runs, 8);
  await waitFor("every event to arrive", () => receiver.received.length >= 200, 60_000, 20);
  await waitFor("every record to be gone", async () => (await listDeliveries(client, ns)).length === 0, 30_000, 100);

  const ids = receiver.received.map((request) => header(request, "webhook-id"));
  t.is(new Set(ids).size, ids.length, "a stale cache never sends an event again");
  t.deepEqual([...ids].sort(), runs.flat().map((event) => event.id).sort());
  for (const run of runs) {
    const order = run.map((event) => ids.indexOf(event.id));
    t.deepEqual(order, [...order].sort((a, b) => a - b), "a run's events arrive in the order they happened");
  }
  t.is(writes.applied("create"), 200);
  t.is(writes.applied("delete"), 200);
  t.is(writes.applied("patch") + writes.applied("update") + writes.applied("deletecollection"), 0, "create and delete, nothing else");
  t.deepEqual(writes.refused().filter((w) => !STALE.has(w.status)), []);
});

test("retention on: each record is seen Delivered, then deleted with its recording bucket by one delete-collection; two writes per delivery and one per bucket", async (t) => {
  const { ns, client, receiver, manager } = await deliveryHarness(t, "api-events-sweep", 500);
  // What the controller's cache saw: the recording buckets, and which records were Delivered before they went.
  const buckets = new Set<string>();
  const delivered = new Set<string>();
  const seen = (obj: KubeObject) => {
    const bucket = obj.metadata.labels?.["orchest.io/recorded"];
    if (bucket !== undefined) buckets.add(bucket);
    if ((obj.status as { phase?: string } | undefined)?.phase === "Delivered") delivered.add(obj.metadata.name!);
  };
  manager.informers.informerFor(EVENT_DELIVERY, { namespace: ns }).addHandler({ onAdd: seen, onUpdate: (_, obj) => seen(obj), onDelete: () => {} });
  await createWebhook(client, ns, "kept", receiver.url);
  await manager.start();

  const runs = pipelineRunEvents(50);
  const writes = recordWrites(manager.client.counter);
  await recordAll(outboxFor(manager.client, ns), runs, 8);
  await waitFor("every event to arrive", () => receiver.received.length >= 200, 60_000, 20);
  await waitFor("every record to be swept", async () => (await listDeliveries(client, ns)).length === 0, 60_000, 100);

  const ids = receiver.received.map((request) => header(request, "webhook-id"));
  t.is(new Set(ids).size, ids.length, "each event sent once");
  t.deepEqual([...ids].sort(), runs.flat().map((event) => event.id).sort());
  t.is(delivered.size, 200, "every record was kept as Delivered before it went");
  t.is(writes.applied("create"), 200);
  t.is(writes.applied("patch"), 200, "one status write per delivery: Delivered");
  t.is(writes.applied("delete") + writes.applied("update"), 0, "no delete per record");
  const sweeps = writes.applied("deletecollection");
  t.true(buckets.size > 0 && sweeps <= buckets.size, `${sweeps} delete-collections for ${buckets.size} buckets`);
  t.deepEqual(writes.refused().filter((w) => !STALE.has(w.status)), []);
});
