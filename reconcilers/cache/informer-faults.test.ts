import test from "ava";
import { startControlPlane } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import type { KubeObject } from "../client/object.js";
import { waitFor } from "../testing.js";
import { Informer, type InformerOptions } from "./informer.js";

// A private etcd + apiserver: these tests restart the apiserver and compact etcd.
const controlPlane = startControlPlane();
const NS = "faults";
const CM = { apiVersion: "v1", kind: "ConfigMap" };

test.before(async () => {
  const client = new KubeClient((await controlPlane).kubeConfig());
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  client.close();
});

test.after.always(async () => {
  await (await controlPlane).stop();
});

const configMap = (name: string, value = "1"): KubeObject => ({ ...CM, metadata: { name, namespace: NS }, data: { value } });

async function watched(options: InformerOptions = {}) {
  const client = new KubeClient((await controlPlane).kubeConfig());
  const informer = new Informer(client, CM, { namespace: NS, ...options });
  const adds = new Map<string, number>();
  const deletes = new Map<string, number>();
  const bump = (map: Map<string, number>, o: KubeObject) => map.set(o.metadata.uid!, (map.get(o.metadata.uid!) ?? 0) + 1);
  informer.addHandler({ onAdd: (o) => bump(adds, o), onDelete: (o) => bump(deletes, o) });
  informer.start();
  await informer.waitForSync();
  return { client, informer, adds, deletes };
}

/** The cache holds exactly what a fresh list returns: same UIDs at the same resourceVersions. */
async function cacheMatchesServer(informer: Informer, client: KubeClient): Promise<boolean> {
  const fresh = await client.list(CM, { namespace: NS });
  const want = fresh.items.map((o) => `${o.metadata.uid}@${o.metadata.resourceVersion}`).sort();
  const have = informer.list().map((o) => `${o.metadata.uid}@${o.metadata.resourceVersion}`).sort();
  return JSON.stringify(want) === JSON.stringify(have);
}

async function churn(client: KubeClient, prefix: string): Promise<void> {
  for (let i = 0; i < 5; i++) await client.create(configMap(`${prefix}-${i}`));
  for (let i = 0; i < 3; i++) await client.patch({ ...CM, namespace: NS, name: `${prefix}-${i}` }, { data: { value: "2" } }, "merge");
  for (let i = 3; i < 5; i++) await client.delete({ ...CM, namespace: NS, name: `${prefix}-${i}` });
}

test.serial("a watch broken by an apiserver restart resumes with no event missed and none replayed", async (t) => {
  const { client, informer, adds, deletes } = await watched();
  await churn(client, "before");
  await waitFor("cache before restart", () => cacheMatchesServer(informer, client));
  await (await controlPlane).restartApiserver();
  await churn(client, "after");
  await waitFor("cache after restart", () => cacheMatchesServer(informer, client), 30_000);
  t.true([...adds.values()].every((n) => n === 1), "every object was added once: no replay after the restart");
  t.true([...deletes.values()].every((n) => n === 1));
  t.is(deletes.size, 4);
  await informer.stop();
  client.close();
});

test.serial("a 410 Gone after etcd compaction relists and misses nothing", async (t) => {
  // A slow retry leaves time to write and compact while the informer is disconnected.
  const { client, informer, deletes } = await watched({ backoffBaseMs: 8000 });
  const writer = new KubeClient((await controlPlane).kubeConfig());
  const known = await Promise.all(["known-0", "known-1"].map(async (name) => (await writer.create(configMap(name))).metadata.uid!));
  await waitFor("cache has the known objects", () => cacheMatchesServer(informer, writer));
  const lists = client.counter.count("list");
  await (await controlPlane).restartApiserver();
  await churn(writer, "compacted");
  for (const name of ["known-0", "known-1"]) await writer.delete({ ...CM, namespace: NS, name });
  await (await controlPlane).compactEtcd();
  await waitFor("cache after compaction", () => cacheMatchesServer(informer, writer), 30_000);
  t.true(client.counter.count("list") > lists, "the informer relisted");
  const gone = (await writer.list(CM, { namespace: NS })).items.map((o) => o.metadata.uid);
  t.false(informer.list().some((o) => !gone.includes(o.metadata.uid)), "objects deleted during the outage left the cache");
  t.deepEqual(known.map((uid) => deletes.get(uid)), [1, 1], "deletes of objects the cache held were delivered once");
  await informer.stop();
  client.close();
  writer.close();
});
