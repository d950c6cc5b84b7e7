import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { OrchestCluster } from "../crds/types/index.js";
import { KubeClient, refKey, type KubeObject, type ObjectRef } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { LABELS } from "../synth/index.js";
import { Cluster } from "../testbed/index.js";
import { installCrds } from "./install.js";
import { ORCHEST_CLUSTER, OWNED_KINDS } from "./reconciler.js";

const operatorMain = fileURLToPath(new URL("./main.js", import.meta.url));
const ns = "orchest";
const name = "crashy";
const ref = { ...ORCHEST_CLUSTER, namespace: ns, name };

let cluster: Cluster;
let client: KubeClient;

test.before(async () => {
  cluster = await Cluster.start({
    nodes: [
      { name: "node-docker", runtime: "docker" },
      { name: "node-containerd", runtime: "containerd" },
    ],
    containerd: false,
    registry: false,
  });
  installCrds(cluster.kubeconfig);
  client = new KubeClient(cluster.kubeConfig());
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
});

test.after.always(async () => {
  await cluster?.stop();
});

function startOperator(): ChildProcess {
  return spawn(process.execPath, [operatorMain, "--leader-elect=false", "--http-port=0", "--http-host=127.0.0.1"], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    stdio: "ignore",
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/** Runs the operator for a random while (a few tens of ms to 1.5 s), then kills it as a crash would, `times` over. */
async function crashRepeatedly(times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const child = startOperator();
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 1_450));
    await kill(child);
  }
}

const getCluster = async () => (await client.get(ref)) as OrchestCluster | undefined;
const ready = async (generation?: number) =>
  waitFor("Ready", async () => {
    const c = await getCluster();
    return c?.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true && (generation === undefined || c.status?.observedGeneration === generation);
  }, 120_000, 200);

/** Every object carrying the cluster's label, by kind/namespace/name. */
async function labelled(): Promise<string[]> {
  const found: string[] = [];
  for (const gvk of OWNED_KINDS) {
    const list = await client.list(gvk, { labelSelector: `${LABELS.cluster}=${name}` });
    found.push(...list.items.map((o: KubeObject) => refKey({ ...gvk, namespace: o.metadata.namespace, name: o.metadata.name! } as ObjectRef)));
  }
  return found.sort();
}

test.serial("an operator killed at random points during install and update converges to the same state, with nothing duplicated or orphaned", async (t) => {
  const spec = (version: string) => ({ orchest: { version }, postgres: { image: "postgres:13.1" }, rabbitMq: { image: "rabbitmq:3" } });
  await client.create({ ...ORCHEST_CLUSTER, metadata: { name, namespace: ns }, spec: spec("v2022.10.5") } as KubeObject);
  await crashRepeatedly(5);
  let operator = startOperator();
  try {
    await ready();
    const installed = await labelled();
    await kill(operator);

    await client.patch(ref, { spec: { orchest: { version: "v2022.11.1" } } }, "merge");
    const generation = (await getCluster())!.metadata!.generation;
    await crashRepeatedly(5);
    operator = startOperator();
    await ready(generation);
    const updated = await labelled();
    const c = (await getCluster())!;
    t.is(c.status?.version, "v2022.11.1");
    t.deepEqual(updated, installed, "the same objects exist after the update as after the install");
    const inventory = c.status!.inventory!.entries!.map((e) => refKey({ ...e, namespace: e.namespace } as ObjectRef)).sort();
    t.deepEqual(inventory, updated, "every labelled object is in the inventory and every inventoried object exists: none orphaned");
    const deployments = (await client.list({ apiVersion: "apps/v1", kind: "Deployment" }, { namespace: ns })).items;
    for (const d of deployments) {
      const image = (d.spec as any).template.spec.containers[0].image as string;
      if (image.startsWith("orchest/")) t.true(image.endsWith(":v2022.11.1"), `${d.metadata.name} runs ${image}`);
    }
  } finally {
    await kill(operator);
  }
});
