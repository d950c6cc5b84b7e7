import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import type { KubeObject } from "../client/object.js";
import { waitFor } from "../testing.js";
import { EventRecorder } from "./recorder.js";

const testbed = useTestbed();
const setup = testbed.then(async (tb) => ({ client: new KubeClient(tb.kubeConfig), ns: await createTestNamespace(tb.kubeConfig, "recorder") }));
test.after.always(async () => (await setup).client.close());

async function eventsAbout(obj: KubeObject): Promise<KubeObject[]> {
  const { client, ns } = await setup;
  return (await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items.filter((e) => (e.regarding as { uid: string }).uid === obj.metadata.uid);
}

test("a note of non-ASCII text longer than 1024 bytes is cut at 1024 bytes, on a character boundary, and recorded", async (t) => {
  const { client, ns } = await setup;
  const cm = await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "accented", namespace: ns } });
  await new EventRecorder(client, "example.com/test", "test-1").record(cm, "Warning", "Failed", "Apply", "é".repeat(1000));
  const [event] = await eventsAbout(cm);
  t.truthy(event, "the event was recorded");
  t.is(event!.note, "é".repeat(512), "512 two-byte characters: 1024 bytes");
});

test("an event repeated 20 times is one Event with series.count 20, written in fewer than 20 requests", async (t) => {
  const { client, ns } = await setup;
  const cm = await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "flapping", namespace: ns } });
  const recorder = new EventRecorder(client, "example.com/test", "test-1");
  const writes = client.counter.writes();
  await Promise.all(Array.from({ length: 20 }, () => recorder.record(cm, "Warning", "BackOff", "Reconcile", "the image pull failed")));
  t.true(client.counter.writes() - writes < 20, `${client.counter.writes() - writes} writes`);
  await waitFor("the series to be listed", async () => (await eventsAbout(cm)).length > 0);
  const events = await eventsAbout(cm);
  t.is(events.length, 1);
  t.is((events[0]!.series as { count: number }).count, 20);
  await recorder.record(cm, "Normal", "Recovered", "Reconcile", "the image was pulled");
  t.is((await eventsAbout(cm)).length, 2, "another reason is another event");
});
