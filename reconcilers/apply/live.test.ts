import test, { type ExecutionContext } from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import { waitFor } from "../testing.js";
import { cacheReader } from "./live.js";

const CM = { apiVersion: "v1", kind: "ConfigMap" };

async function sharedCache(t: ExecutionContext) {
  const tb = await useTestbed();
  const client = new KubeClient(tb.kubeConfig);
  const informers = new SharedInformers(client);
  t.teardown(async () => {
    await informers.stop();
    client.close();
  });
  return { tb, client, informers };
}

test("cache reads in many namespaces share one list and one watch per type, and hold only objects with the scope's labels", async (t) => {
  const { tb, client, informers } = await sharedCache(t);
  const label = `live-test-${Date.now().toString(36)}`;
  const namespaces = await Promise.all([0, 1, 2].map(() => createTestNamespace(tb.kubeConfig, "live")));
  for (const ns of namespaces) {
    await client.create({ ...CM, metadata: { name: "ours", namespace: ns, labels: { scope: label } } });
    await client.create({ ...CM, metadata: { name: "theirs", namespace: ns } });
  }
  const reader = cacheReader(informers, { labelSelector: `scope=${label}` });
  const watches = client.counter.count("watch");
  const lists = client.counter.count("list");
  for (const ns of namespaces) {
    t.truthy(await reader.get({ ...CM, namespace: ns, name: "ours" }), `ours in ${ns}`);
    t.is(await reader.get({ ...CM, namespace: ns, name: "theirs" }), undefined, `not cached: no label, in ${ns}`);
  }
  t.is(client.counter.count("list") - lists, 1, "one list for three namespaces");
  // A watch is counted once the server answers it, after the list.
  await waitFor("the watch to open", () => client.counter.count("watch") > watches);
  t.is(client.counter.count("watch") - watches, 1, "one watch for three namespaces");
});

test("a read of a type whose cache cannot sync fails with the type's name and the fix, instead of waiting forever; that informer is removed", async (t) => {
  const { informers } = await sharedCache(t);
  const NOTHING = { apiVersion: "nothing.example.com/v1", kind: "Nothing" };
  // The shared informer of the type, in the reader's (empty) scope: the one the read below starts.
  const shared = informers.informerFor(NOTHING);
  const reader = cacheReader(informers, { syncTimeoutMs: 1000 });
  const read = reader.get({ ...NOTHING, namespace: "default", name: "x" });
  // Only to turn a hang into a failure; the read itself is bounded by its 1 s sync timeout.
  const outcome = await Promise.race([read.then(() => "read", (err: Error) => err.message), new Promise((resolve) => setTimeout(resolve, 60_000, "hung"))]);
  t.regex(String(outcome), /the cache of Nothing \(nothing\.example\.com\/v1\) did not sync within 1000 ms\. Fix: .*CRD/);
  t.not(informers.informerFor(NOTHING), shared, "the informer that could not sync is no longer shared: the next read starts afresh");
});
