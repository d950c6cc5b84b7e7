import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import { EventRecorder } from "../events/recorder.js";
import { updateStatus } from "../status/status-writer.js";
import { waitFor } from "../testing.js";
import { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizers.js";

test("finalizers are added and removed with guarded patches, and re-adding costs no request", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "helpers");
  const client = new KubeClient(tb.kubeConfig);
  t.teardown(() => client.close());
  const cm = await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "guarded", namespace: ns } });
  const added = await addFinalizer(client, cm, "example.com/cleanup");
  t.true(hasFinalizer(added, "example.com/cleanup"));
  const patches = client.counter.count("patch");
  t.is(await addFinalizer(client, added, "example.com/cleanup"), added);
  t.is(client.counter.count("patch"), patches, "no request when the finalizer is there");
  await t.throwsAsync(addFinalizer(client, cm, "example.com/other"), undefined, "a stale object is refused by the resourceVersion test");
  const removed = await removeFinalizer(client, added, "example.com/cleanup");
  t.false(hasFinalizer(removed, "example.com/cleanup"));
  t.is(await updateStatus(client, removed, (removed.status as Record<string, unknown>) ?? {}), undefined, "an unchanged status is not written");
});

test("events recorded about an object are listed for it", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "events");
  const client = new KubeClient(tb.kubeConfig);
  t.teardown(() => client.close());
  const cm = await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "noted", namespace: ns } });
  await new EventRecorder(client, "example.com/test-controller", "test-1").record(cm, "Normal", "Applied", "Apply", "applied 3 objects");
  await waitFor("the event", async () => {
    const events = await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns });
    return events.items.some((e) => (e.regarding as { name: string }).name === "noted" && e.reason === "Applied" && e.note === "applied 3 objects");
  });
  t.pass();
});

test("createIfAbsent creates an object once; for a name taken it answers undefined and leaves the object as it was", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "create-if-absent");
  const client = new KubeClient(tb.kubeConfig);
  t.teardown(() => client.close());
  const created = await client.createIfAbsent({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "once", namespace: ns }, data: { first: "yes" } });
  t.is(created?.metadata.name, "once");
  t.is(await client.createIfAbsent({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "once", namespace: ns }, data: { second: "yes" } }), undefined);
  t.deepEqual((await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "once" }))?.data, { first: "yes" });
  await t.throwsAsync(client.createIfAbsent({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name", namespace: ns } }), { message: /Invalid|invalid/ }, "other refusals are thrown");
});
