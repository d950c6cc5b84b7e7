import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import { objectKey } from "../client/object.js";
import { waitFor } from "../testing.js";
import { Controller } from "./controller.js";

const CM = { apiVersion: "v1", kind: "ConfigMap" };

test("a key is never reconciled concurrently under load, and the last change is always seen", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "controller");
  const client = new KubeClient(tb.kubeConfig);
  const informers = new SharedInformers(client);
  const informer = informers.informerFor(CM, { namespace: ns });
  const active = new Set<string>();
  const seen = new Map<string, string>();
  let overlaps = 0;
  let parallel = 0;
  let reconciles = 0;
  const controller = new Controller({
    name: "load",
    maxConcurrentReconciles: 4,
    reconciler: async (request) => {
      const key = objectKey(request);
      if (active.has(key)) overlaps++;
      active.add(key);
      parallel = Math.max(parallel, active.size);
      reconciles++;
      const rv = informer.get(key)?.metadata.resourceVersion;
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      if (rv) seen.set(key, rv);
      active.delete(key);
    },
  });
  controller.watch(informer);
  informers.start();
  await controller.start();
  t.teardown(async () => {
    await controller.stop();
    await informers.stop();
    client.close();
  });

  const names = Array.from({ length: 6 }, (_, i) => `hot-${i}`);
  await Promise.all(names.map((name) => client.create({ ...CM, metadata: { name, namespace: ns }, data: { n: "0" } })));
  for (let round = 1; round <= 30; round++) {
    await Promise.all(names.map((name) => client.patch({ ...CM, namespace: ns, name }, { data: { n: String(round) } }, "merge")));
  }
  const final = new Map((await client.list(CM, { namespace: ns })).items.map((o) => [objectKey(o), o.metadata.resourceVersion!]));
  await waitFor("every key reconciled at its final version", () => names.every((n) => seen.get(`${ns}/${n}`) === final.get(`${ns}/${n}`)), 20_000);
  t.is(overlaps, 0);
  t.true(parallel > 1, "the four workers did run in parallel");
  t.log(`${reconciles} reconciles for ${names.length * 31} changes, up to ${parallel} at once`);
});
