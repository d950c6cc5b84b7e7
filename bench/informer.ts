// Informer benchmark: time to sync and retained heap per cached object at 10,000 ConfigMaps, ours against
// @kubernetes/client-node's makeInformer on the same objects. Each informer runs in a child process of
// its own (node --expose-gc), so one's garbage does not count against the other.
import { CoreV1Api, KubeConfig, makeInformer } from "@kubernetes/client-node";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Informer } from "../reconcilers/cache/informer.js";
import { KubeClient } from "../reconcilers/client/client.js";
import { printComparison, waitFor } from "../reconcilers/testing.js";
import { startControlPlane } from "../testbed/index.js";

const OBJECTS = 10_000;
const NAMESPACE = "bench-informer";

interface Measurement {
  syncMs: number;
  heapBytesPerObject: number;
  objects: number;
}

export async function run(): Promise<void> {
  const cp = await startControlPlane();
  try {
    const client = new KubeClient(cp.kubeConfig());
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
    await createConfigMaps(client);
    client.close();
    const ours = await measureInChild("ours", cp.kubeconfig);
    const theirs = await measureInChild("client-node", cp.kubeconfig);
    printComparison(`informer: ${OBJECTS} ConfigMaps (~600 B of JSON each), one child process per informer`, "makeInformer", [
      ["time to sync (ms)", ours.syncMs, theirs.syncMs],
      ["retained heap per object (B)", ours.heapBytesPerObject, theirs.heapBytesPerObject],
    ]);
  } finally {
    await cp.stop();
  }
}

async function createConfigMaps(client: KubeClient): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < OBJECTS) {
      const i = next++;
      await client.create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${i}`, namespace: NAMESPACE, labels: { app: "bench", shard: String(i % 16) } },
        data: { "config.yaml": `name: cm-${i}\nreplicas: ${i % 7}\n`.repeat(8) },
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
}

function measureInChild(which: "ours" | "client-node", kubeconfig: string): Promise<Measurement> {
  const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--measure", which, kubeconfig], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as Measurement) : reject(new Error(`${which} measurement exited ${code}`)))),
  );
}

async function measure(which: string, kubeconfig: string): Promise<Measurement> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  let count: () => number;
  let stop: () => Promise<void>;
  if (which === "ours") {
    const client = new KubeClient(kc);
    const informer = new Informer(client, { apiVersion: "v1", kind: "ConfigMap" }, { namespace: NAMESPACE });
    informer.start();
    await informer.waitForSync();
    count = () => informer.store.size;
    stop = async () => {
      await informer.stop();
      client.close();
    };
  } else {
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, `/api/v1/namespaces/${NAMESPACE}/configmaps`, () => api.listNamespacedConfigMap({ namespace: NAMESPACE }));
    await informer.start();
    await waitFor("client-node informer to hold every object", () => informer.list().length >= OBJECTS, 120_000);
    count = () => informer.list().length;
    stop = () => informer.stop();
  }
  const syncMs = Math.round(performance.now() - started);
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const heapBytesPerObject = Math.round((process.memoryUsage().heapUsed - before) / count());
  const objects = count();
  await stop();
  return { syncMs, heapBytesPerObject, objects };
}

if (process.argv[2] === "--measure") {
  const result = await measure(process.argv[3]!, process.argv[4]!);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}
