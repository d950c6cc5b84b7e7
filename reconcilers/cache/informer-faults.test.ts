import test from "ava";
import { startControlPlane } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import type { KubeObject } from "../client/object.js";
import { FaultProxy } from "../client/testing/fault-proxy.js";
import { silentLogger } from "../log.js";
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

/** A backoff the test opens and closes, recording each wait in `sequence`: the window in which a watcher is away. */
function gatedBackoff(sequence: string[]) {
  let open = true;
  let release: () => void = () => {};
  let closed = Promise.resolve();
  return {
    backoff: () => ({
      wait: async (signal: AbortSignal) => {
        sequence.push("backoff");
        if (!open) await Promise.race([closed, new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }))]);
      },
      reset: () => {},
    }),
    close: () => {
      open = false;
      closed = new Promise((resolve) => (release = resolve));
    },
    open: () => {
      open = true;
      release();
    },
  };
}

test.serial("a 410 Gone after etcd compaction relists after a backoff and misses nothing", async (t) => {
  const sequence: string[] = [];
  const gate = gatedBackoff(sequence);
  const logger = { ...silentLogger, info: (msg: string) => void (msg.includes("too old") && sequence.push("gone")), child: () => logger };
  const { client, informer, deletes } = await watched({ backoff: gate.backoff, logger });
  client.counter.onRequest((r) => r.verb === "list" && sequence.push("list"));
  const writer = new KubeClient((await controlPlane).kubeConfig());
  const known = await Promise.all(["known-0", "known-1"].map(async (name) => (await writer.create(configMap(name))).metadata.uid!));
  await waitFor("cache has the known objects", () => cacheMatchesServer(informer, writer));
  // While the informer waits out its backoff, history it has not seen is written and compacted away.
  gate.close();
  await (await controlPlane).restartApiserver();
  await waitFor("the informer to back off", () => sequence.includes("backoff"));
  await churn(writer, "compacted");
  for (const name of ["known-0", "known-1"]) await writer.delete({ ...CM, namespace: NS, name });
  await (await controlPlane).compactEtcd();
  gate.open();
  await waitFor("cache after compaction", () => cacheMatchesServer(informer, writer), 30_000);
  const afterGone = sequence.slice(sequence.indexOf("gone"));
  t.true(sequence.includes("gone"), "the watch was answered 410 Gone");
  t.true(afterGone.indexOf("backoff") > 0 && afterGone.indexOf("backoff") < afterGone.indexOf("list"), `backed off before relisting: ${afterGone.join(" ")}`);
  const gone = (await writer.list(CM, { namespace: NS })).items.map((o) => o.metadata.uid);
  t.false(informer.list().some((o) => !gone.includes(o.metadata.uid)), "objects deleted during the outage left the cache");
  t.deepEqual(known.map((uid) => deletes.get(uid)), [1, 1], "deletes of objects the cache held were delivered once");
  await informer.stop();
  client.close();
  writer.close();
});

test.serial("a watch reset mid-stream (ECONNRESET) resumes after the last event it saw: no add replayed, no deleted object back", async (t) => {
  const cp = await controlPlane;
  const proxy = await FaultProxy.start(cp.kubeConfig());
  const client = new KubeClient(proxy.kubeConfig(cp.kubeConfig()));
  const writer = new KubeClient(cp.kubeConfig());
  t.teardown(async () => {
    client.close();
    writer.close();
    await proxy.close();
  });
  const informer = new Informer(client, CM, { namespace: NS, labelSelector: "reset=test" });
  const adds = new Map<string, number>();
  informer.addHandler({ onAdd: (o) => adds.set(o.metadata.name!, (adds.get(o.metadata.name!) ?? 0) + 1) });
  informer.start();
  await informer.waitForSync();
  const labelled = (name: string): KubeObject => ({ ...configMap(name), metadata: { name, namespace: NS, labels: { reset: "test" } } });
  await writer.create(labelled("short-lived"));
  await waitFor("the cache to see it", () => informer.get(`${NS}/short-lived`) !== undefined);
  await writer.delete({ ...CM, namespace: NS, name: "short-lived" });
  await writer.create(labelled("stays"));
  await waitFor("the cache to see the delete and the create", () => informer.get(`${NS}/short-lived`) === undefined && informer.get(`${NS}/stays`) !== undefined);
  proxy.resetAll();
  await writer.create(labelled("after-reset"));
  await waitFor("the watch to resume", () => informer.get(`${NS}/after-reset`) !== undefined, 30_000);
  t.deepEqual(Object.fromEntries(adds), { "short-lived": 1, stays: 1, "after-reset": 1 }, "each object added once");
  t.is(informer.get(`${NS}/short-lived`), undefined);
  await informer.stop();
});

test.serial("a stopped informer starts again and catches up with what changed while it was stopped", async (t) => {
  const { client, informer, adds } = await watched();
  await client.create(configMap("before-stop"));
  await waitFor("the cache to see it", () => informer.get(`${NS}/before-stop`) !== undefined);
  await informer.stop();
  await client.create(configMap("while-stopped"));
  informer.start();
  t.true(await informer.waitForSync());
  await client.create(configMap("after-restart"));
  await waitFor("changes made while stopped and after the restart", () => informer.get(`${NS}/while-stopped`) !== undefined && informer.get(`${NS}/after-restart`) !== undefined);
  t.true([...adds.values()].every((n) => n === 1), "no object added twice");
  await informer.stop();
  client.close();
});
