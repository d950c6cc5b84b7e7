import test from "ava";
import { installCrds } from "../../operator/install.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { BUILT_LABEL, BUILT_VALUE } from "../../agent/location-identity.js";
import { ImagePlacer } from "./image-placer.js";
import { addNodePool, type NodePool } from "./node-pool.js";
import { withPlacement, type Scope } from "./placement.js";

// The real kube-scheduler places the pods; ImageLocations are written by hand, as node-agents would.
let ns: string;
let pool: NodePool;
let client: KubeClient;
let manager: Manager;
let placer: ImagePlacer;
const image = "orchest-env-sched:1";
const IL = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" };

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "sched");
  pool = await addNodePool(tb.kubeConfig, ns, ["containerd", "containerd", "docker", "containerd"]);
  client = new KubeClient(tb.kubeConfig);
  // Outside this namespace's OrchestCluster's worker selector, the pool's nodes are invisible to its pods.
  await client.create({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "orchest", namespace: ns }, spec: { workerNodeSelector: pool.selector } });
  manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api-sched-test", logger: silentLogger });
  placer = new ImagePlacer(manager.informers);
  await manager.start();
  await placer.waitForSync();
});

test.after.always(async () => {
  await manager?.stop();
  client?.close();
});

async function locate(node: string, phase?: "Present", built = false): Promise<void> {
  const name = `sched-${node}`;
  const existing = await client.get({ ...IL, namespace: ns, name });
  if (!existing) {
    await client.create({ ...IL, metadata: { name, namespace: ns, ...(built ? { labels: { [BUILT_LABEL]: BUILT_VALUE } } : {}) }, spec: { image, node } });
  }
  if (phase) await client.patch({ ...IL, namespace: ns, name }, { status: { phase, source: built ? "built" : "pulled" } }, "merge", "status");
  await waitFor("the placer's cache to see it", () => {
    const cached = placer.locations.get(`${ns}/${name}`);
    return cached !== undefined && (!phase || (cached.status as { phase?: string } | undefined)?.phase === phase);
  }, 10_000);
}

/** Creates `count` pods of the image in `scope` and returns the nodes the scheduler bound them to. */
async function schedule(prefix: string, scope: Scope, count: number): Promise<{ nodes: string[]; eligible: readonly string[] }> {
  const placement = placer.place(image, scope, ns);
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const name of names) {
    const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns }, spec: withPlacement({ containers: [{ name: "main", image }] }, placement) };
    await client.create(pod);
  }
  const nodes: string[] = [];
  await waitFor(`${prefix} pods to be bound`, async () => {
    nodes.length = 0;
    for (const name of names) {
      const nodeName = ((await client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name }))?.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName) return false;
      nodes.push(nodeName);
    }
    return true;
  }, 30_000, 200);
  return { nodes, eligible: placement.nodes };
}

test.serial("interactive pods land only on nodes holding the image, and on more nodes as it spreads", async (t) => {
  const [n0, n1, n2, n3] = pool.nodes as [string, string, string, string];
  // Nothing recorded: no constraint beyond the worker selector, and the reason for the Event.
  t.regex(placer.place(image, "interactive", ns).unconstrained!, /no build of it is recorded/);
  const anywhere = await schedule("free", "interactive", 4);
  t.true(anywhere.nodes.every((n) => pool.nodes.includes(n)), "the worker selector applies");

  // Built on n2, not reported Present yet: the building node.
  await locate(n2, undefined, true);
  const building = await schedule("built", "interactive", 3);
  t.deepEqual(building.eligible, [n2]);
  t.deepEqual(new Set(building.nodes), new Set([n2]));

  await locate(n2, "Present", true);
  await locate(n0, "Present");
  const two = await schedule("two", "interactive", 6);
  t.deepEqual(two.eligible, [n0, n2].sort());
  t.true(two.nodes.every((n) => n === n0 || n === n2), `on ${two.nodes.join(", ")}`);

  await locate(n3, "Present");
  const three = await schedule("three", "interactive", 6);
  t.deepEqual(three.eligible, [n0, n2, n3].sort());
  t.true(three.nodes.every((n) => n !== n1), `on ${three.nodes.join(", ")}`);
  t.true(three.nodes.includes(n3), "the newly eligible node (the emptiest) takes pods");
  t.log(`two holders: ${two.nodes.join(", ")}; three holders: ${three.nodes.join(", ")}`);
});

test.serial("non-interactive pods go only to holders while the built image is not in the registry, then to any worker node, preferring holders", async (t) => {
  const [n0, n2, n3] = [pool.nodes[0]!, pool.nodes[2]!, pool.nodes[3]!];
  // The build on n2 is Present but its agent has not pushed it yet: no other node could pull it.
  const held = await schedule("job-held", "non-interactive", 4);
  t.deepEqual(held.eligible, [n0, n2, n3].sort());
  t.true(held.nodes.every((n) => held.eligible.includes(n)), `on ${held.nodes.join(", ")}`);
  const heldAffinity = ((await client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: "job-held-0" }))!.spec as any).affinity.nodeAffinity;
  t.is(heldAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.length, 3);

  await client.patch({ ...IL, namespace: ns, name: `sched-${n2}` }, { status: { pushedToRegistry: true } }, "merge", "status");
  await waitFor("the placer's cache to see the push", () => (placer.locations.get(`${ns}/sched-${n2}`)?.status as { pushedToRegistry?: boolean } | undefined)?.pushedToRegistry === true, 10_000);
  const job = await schedule("job", "non-interactive", 4);
  const affinity = ((await client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: "job-0" }))!.spec as any).affinity.nodeAffinity;
  t.is(affinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
  t.is(affinity.preferredDuringSchedulingIgnoredDuringExecution.length, 3);
  t.true(job.nodes.every((n) => pool.nodes.includes(n)));
  t.log(`held: ${held.nodes.join(", ")}; once pushed: ${job.nodes.join(", ")}`);
});
