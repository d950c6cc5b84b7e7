import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import type { KubeObject, ObjectRef } from "../client/object.js";
import { Controller } from "../controller/controller.js";
import { waitFor } from "../testing.js";
import { Applier } from "./applier.js";
import { cacheReader } from "./live.js";

const OWNER = { "app.kubernetes.io/managed-by": "applier-test" };
const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment" };

const testbed = useTestbed();
const namespace = testbed.then((tb) => createTestNamespace(tb.kubeConfig, "applier"));

async function clients() {
  const tb = await testbed;
  const client = new KubeClient(tb.kubeConfig);
  const other = new KubeClient(tb.kubeConfig);
  return { client, other, ns: await namespace, close: () => (client.close(), other.close()) };
}

function web(ns: string, env: Array<{ name: string; value: string }>, labels: Record<string, string> = { app: "web", tier: "front" }): KubeObject {
  return {
    ...DEPLOYMENT,
    metadata: { name: "web", namespace: ns, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27", env, resources: { requests: { cpu: "0.25", memory: "0.0625Gi" } } }] },
      },
    },
  };
}

const configMap = (ns: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, labels },
  data: { k: "v" },
});

test.serial("drift by another writer is reverted; fields we drop are removed, server defaults stay", async (t) => {
  const { client, other, ns, close } = await clients();
  const informers = new SharedInformers(client);
  let desired = [web(ns, [{ name: "A", value: "1" }, { name: "REMOVE_ME", value: "x" }])];
  const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: OWNER });
  const controller = new Controller({ name: "stack", reconciler: async () => void (await applier.apply(desired)) });
  controller.watch(informers.informerFor(DEPLOYMENT, { namespace: ns }), { map: () => [{ name: "stack" }] });
  informers.start();
  await controller.start();
  controller.queue.add("stack");
  t.teardown(async () => {
    await controller.stop();
    await informers.stop();
    close();
  });
  const ref: ObjectRef = { ...DEPLOYMENT, namespace: ns, name: "web" };
  const live = async () => (await other.get(ref)) as any;
  await waitFor("the deployment to exist and roll out", async () => (await live())?.metadata.annotations?.["deployment.kubernetes.io/revision"] !== undefined);

  const drifts: Array<[string, unknown, (o: any) => boolean]> = [
    ["image", [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "evil:1" }], (o) => o.spec.template.spec.containers[0].image === "nginx:1.27"],
    ["replicas", { spec: { replicas: 7 } }, (o) => o.spec.replicas === 2],
    ["label", { metadata: { labels: { tier: "hacked" } } }, (o) => o.metadata.labels.tier === "front"],
  ];
  for (const [what, patch, reverted] of drifts) {
    await other.patch(ref, patch, Array.isArray(patch) ? "json" : "merge");
    const ms = await waitFor(`${what} drift reverted`, async () => reverted(await live()), 30_000, 10);
    t.log(`${what} drift reverted in ${ms} ms`);
  }

  desired = [web(ns, [{ name: "A", value: "1" }], { app: "web" })];
  controller.queue.add("stack");
  await waitFor("REMOVE_ME and tier removed", async () => {
    const o = await live();
    return o.spec.template.spec.containers[0].env.length === 1 && o.metadata.labels.tier === undefined;
  });
  const o = await live();
  t.deepEqual(o.spec.template.spec.containers[0].env, [{ name: "A", value: "1" }]);
  t.is(o.spec.revisionHistoryLimit, 10, "server default kept");
  t.is(o.spec.template.spec.containers[0].terminationMessagePath, "/dev/termination-log", "server default kept");
  t.truthy(o.metadata.annotations["deployment.kubernetes.io/revision"], "another controller's annotation kept");
  t.is(o.spec.template.spec.containers[0].resources.requests.cpu, "250m", "quantity spelled the server's way, not fought over");
});

test.serial("a conflicting concurrent write is detected by the resourceVersion guard, retried, and converges", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "raced" };
  await new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER }).apply([configMap(ns, "raced")]);
  const stale = await client.get(ref);
  await other.patch(ref, { metadata: { labels: { someone: "else" } } }, "merge");
  // The applier reads a snapshot older than the other writer's change, as a lagging cache would.
  const applier = new Applier({ client, live: { get: async () => stale }, ownershipLabels: OWNER });
  const patchesBefore = client.counter.count("patch");
  const changes = await applier.apply([{ ...configMap(ns, "raced"), data: { k: "new" } }]);
  t.deepEqual(changes.configured.map((r) => r.name), ["raced"]);
  t.is(client.counter.count("patch") - patchesBefore, 2, "the first patch was refused, the second landed");
  const live = (await client.get(ref))!;
  t.deepEqual(live.data, { k: "new" });
  t.is(live.metadata.labels?.someone, "else", "the other writer's label survived");
});

test.serial("lists merge by their strategic-merge keys in desired's order: reordered init containers reach the server, another writer's mount and port stay", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  const applier = new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER });
  const mounts = [{ name: "config", mountPath: "/etc/app/a.conf", subPath: "a.conf" }, { name: "config", mountPath: "/etc/app/b.conf", subPath: "b.conf" }];
  const listed = (initContainers: string[], volumeMounts: object[], ports: object[]): KubeObject => {
    const d = web(ns, [{ name: "A", value: "1" }]) as any;
    d.metadata.name = "lists";
    d.spec.template.spec.initContainers = initContainers.map((name) => ({ name, image: "busybox:1.36" }));
    Object.assign(d.spec.template.spec.containers[0], { volumeMounts, ports });
    d.spec.template.spec.volumes = [{ name: "config", configMap: { name: "lists" } }];
    return d;
  };
  await applier.apply([listed(["migrate", "seed"], mounts, [{ containerPort: 53, protocol: "UDP" }, { containerPort: 53 }])]);
  const ref: ObjectRef = { ...DEPLOYMENT, namespace: ns, name: "lists" };
  // Another writer (a mesh injector, say) adds a volume, its mount and a port.
  await other.patch(ref, [
    { op: "add", path: "/spec/template/spec/volumes/-", value: { name: "certs", emptyDir: {} } },
    { op: "add", path: "/spec/template/spec/containers/0/volumeMounts/-", value: { name: "certs", mountPath: "/etc/certs" } },
    { op: "add", path: "/spec/template/spec/containers/0/ports/-", value: { containerPort: 9153, name: "metrics" } },
  ], "json");
  const next = listed(["wait", "seed", "migrate"], [mounts[0]!, { ...mounts[1]!, readOnly: true }], [{ containerPort: 53, protocol: "UDP", name: "dns" }, { containerPort: 53, name: "dns-tcp" }]);
  t.deepEqual((await applier.apply([next])).configured.map((r) => r.name), ["lists"]);
  const live = (await other.get(ref)) as any;
  const pod = live.spec.template.spec;
  t.deepEqual(pod.initContainers.map((c: { name: string }) => c.name), ["wait", "seed", "migrate"], "desired's order: init containers run in it");
  t.deepEqual(pod.containers[0].volumeMounts, [mounts[0], { ...mounts[1], readOnly: true }, { name: "certs", mountPath: "/etc/certs" }]);
  t.deepEqual(pod.containers[0].ports, [
    { containerPort: 53, protocol: "UDP", name: "dns" },
    { containerPort: 53, protocol: "TCP", name: "dns-tcp" },
    { containerPort: 9153, protocol: "TCP", name: "metrics" },
  ]);
  t.deepEqual(pod.volumes.map((v: { name: string }) => v.name), ["config", "certs"]);
  t.deepEqual((await applier.apply([next])).unchanged.map((r) => r.name), ["lists"], "converged: the next apply writes nothing");
});

test.serial("prune deletes only objects with our labels that are in our inventory", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  const applier = new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER });
  const first = await applier.apply([configMap(ns, "keep"), configMap(ns, "drop")]);
  await other.create(configMap(ns, "drop-copy")); // similar name, not ours
  await other.create(configMap(ns, "labelled-stranger", OWNER)); // our labels, never in our inventory
  await other.create(configMap(ns, "inventoried-unlabelled")); // in the inventory below, without our labels
  const inventory: ObjectRef[] = [...first.inventory, { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "inventoried-unlabelled" }];
  const second = await applier.apply([configMap(ns, "keep")], inventory);
  t.deepEqual(second.pruned.map((r) => r.name), ["drop"]);
  t.deepEqual(second.inventory.map((r) => r.name), ["keep"]);
  const names = (await client.list({ apiVersion: "v1", kind: "ConfigMap" }, { namespace: ns })).items.map((o) => o.metadata.name).sort();
  for (const survivor of ["drop-copy", "inventoried-unlabelled", "keep", "labelled-stranger"]) t.true(names.includes(survivor), `${survivor} survives`);
  t.false(names.includes("drop"));
});

test.serial("an object someone deletes right after our create, before our cache saw it, is created again; a later change lands", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  // A cache that never catches up: every read happens before it saw our create.
  const applier = new Applier({ client, live: { get: async () => undefined }, ownershipLabels: OWNER });
  const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "short-lived" };
  t.deepEqual((await applier.apply([configMap(ns, "short-lived")])).created.map((r) => r.name), ["short-lived"]);
  await other.delete(ref);
  t.deepEqual((await applier.apply([configMap(ns, "short-lived")])).created.map((r) => r.name), ["short-lived"], "created again, not unchanged");
  t.truthy(await other.get(ref));
  await other.delete(ref);
  const changed = { ...configMap(ns, "short-lived"), data: { k: "changed" } };
  const changes = await applier.apply([changed]);
  t.deepEqual([...changes.created, ...changes.configured].map((r) => r.name), ["short-lived"]);
  t.deepEqual((await other.get(ref))?.data, { k: "changed" });
});

test.serial("a change of an immutable field fails with the field and the fix; annotated on-immutable-change: recreate, the object is deleted and created again", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  const applier = new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER });
  const selected = (app: string, annotations: Record<string, string> = {}): KubeObject => {
    const d = web(ns, [{ name: "A", value: "1" }], { app });
    d.metadata = { ...d.metadata, name: "immutable", annotations };
    Object.assign(d.spec as object, { selector: { matchLabels: { app } }, template: { ...(d.spec as any).template, metadata: { labels: { app } } } });
    return d;
  };
  await applier.apply([selected("one")]);
  const ref: ObjectRef = { ...DEPLOYMENT, namespace: ns, name: "immutable" };
  const before = (await other.get(ref))!.metadata.uid;
  const error = await t.throwsAsync(applier.apply([selected("two")]));
  t.regex(error!.message, /Deployment .*\/immutable: spec\.selector cannot be changed in place/);
  t.regex(error!.message, /Fix: .*apply\.reconcilers\.dev\/on-immutable-change: recreate/);
  const changes = await applier.apply([selected("two", { "apply.reconcilers.dev/on-immutable-change": "recreate" })]);
  t.deepEqual(changes.recreated.map((r) => r.name), ["immutable"]);
  const after = (await other.get(ref)) as any;
  t.not(after.metadata.uid, before, "a new object");
  t.deepEqual(after.spec.selector, { matchLabels: { app: "two" } });
  t.is((await applier.apply([selected("two", { "apply.reconcilers.dev/on-immutable-change": "recreate" })])).unchanged.length, 1, "converged");
});

test.serial("prune deletes in reverse wave order, the waves read from the live objects", async (t) => {
  const { client, ns, close } = await clients();
  t.teardown(close);
  const applier = new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER, concurrency: 1 });
  const inWave = (name: string, wave: number): KubeObject => ({ ...configMap(ns, name), metadata: { name, namespace: ns, annotations: { "apply.reconcilers.dev/wave": String(wave) } } });
  const first = await applier.apply([inWave("a-first", 1), inWave("b-second", 2), inWave("c-third", 3)]);
  const deleted: string[] = [];
  client.counter.onRequest((r) => {
    if (r.verb === "delete") deleted.push(r.path.slice(r.path.lastIndexOf("/") + 1));
  });
  const second = await applier.apply([], first.inventory);
  t.is(second.pruned.length, 3);
  t.deepEqual(deleted, ["c-third", "b-second", "a-first"], "the last wave goes first");
});

test.serial("a 900 KiB ConfigMap applies and converges: its last-applied record holds field names, not values", async (t) => {
  const { client, other, ns, close } = await clients();
  t.teardown(close);
  const applier = new Applier({ client, live: { get: (r) => client.get(r) }, ownershipLabels: OWNER });
  const big: KubeObject = { ...configMap(ns, "bundle"), data: { "bundle.js": "x".repeat(900 * 1024) } };
  t.deepEqual((await applier.apply([big])).created.map((r) => r.name), ["bundle"]);
  t.is((await applier.apply([big])).unchanged.length, 1);
  const live = await other.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "bundle" });
  t.is((live?.data as Record<string, string>)["bundle.js"]!.length, 900 * 1024);
});
