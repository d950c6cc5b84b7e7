// Convergence benchmark: latency from a spec change to the applier's patch landing, p50 and p99 over 200
// changes. The spec is a ConfigMap naming an image; the reconciler applies a Deployment with that image.
// Ours (shared informer → work queue → controller → applier on the cache) against the same reconcile
// driven by @kubernetes/client-node's makeInformer with an applier that GETs live state.
import { CoreV1Api, makeInformer, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { Applier } from "../reconcilers/apply/applier.js";
import { apiReader, cacheReader } from "../reconcilers/apply/live.js";
import { SharedInformers } from "../reconcilers/cache/shared-informers.js";
import { KubeClient } from "../reconcilers/client/client.js";
import type { KubeObject } from "../reconcilers/client/object.js";
import { Controller } from "../reconcilers/controller/controller.js";
import { percentile, printComparison } from "../reconcilers/testing.js";
import { startControlPlane } from "../testbed/index.js";

const CHANGES = 200;
const OWNER = { "app.kubernetes.io/managed-by": "bench" };

export async function run(): Promise<void> {
  const cp = await startControlPlane();
  try {
    const kc = cp.kubeConfig();
    const ours = await measure(kc, "ours", driveWithOurController);
    const theirs = await measure(kc, "client-node", driveWithMakeInformer);
    printComparison(`convergence: spec change → patch landed, ${CHANGES} changes`, "makeInformer", [
      ["p50 (ms)", ours.p50, theirs.p50],
      ["p99 (ms)", ours.p99, theirs.p99],
      ["max (ms)", ours.max, theirs.max],
    ]);
  } finally {
    await cp.stop();
  }
}

type OnLanded = (image: string) => void;
type Driver = (kc: KubeConfig, ns: string, onLanded: OnLanded) => Promise<() => Promise<void>>;

const deployment = (ns: string, image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app", namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "app" } },
    template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image }] } },
  },
});

async function measure(kc: KubeConfig, ns: string, drive: Driver) {
  const client = new KubeClient(kc);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const spec = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "spec" };
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "spec", namespace: ns }, data: { image: "app:0" } });
  let waiting: { image: string; resolve: () => void } | undefined;
  const stop = await drive(kc, ns, (image) => {
    if (waiting?.image === image) waiting.resolve();
  });
  const latencies: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const image = `app:${i}`;
    const landed = new Promise<void>((resolve) => (waiting = { image, resolve }));
    const started = performance.now();
    await client.patch(spec, { data: { image } }, "merge");
    await landed;
    latencies.push(performance.now() - started);
  }
  await stop();
  client.close();
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: Math.max(...latencies) };
}

const driveWithOurController: Driver = async (kc, ns, onLanded) => {
  const client = new KubeClient(kc);
  const informers = new SharedInformers(client);
  const specs = informers.informerFor({ apiVersion: "v1", kind: "ConfigMap" }, { namespace: ns });
  const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: OWNER });
  const controller = new Controller({
    name: "convergence",
    reconciler: async (request) => {
      const image = (specs.get(`${request.namespace}/${request.name}`)?.data as { image: string }).image;
      await applier.apply([deployment(ns, image)]);
      onLanded(image);
    },
  }).watch(specs);
  informers.start();
  await controller.start();
  return async () => {
    await controller.stop();
    await informers.stop();
    client.close();
  };
};

const driveWithMakeInformer: Driver = async (kc, ns, onLanded) => {
  const client = new KubeClient(kc);
  const applier = new Applier({ client, live: apiReader(client), ownershipLabels: OWNER });
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => api.listNamespacedConfigMap({ namespace: ns }));
  // One reconcile at a time, as a work queue with one worker would do.
  let chain = Promise.resolve();
  const reconcile = (cm: V1ConfigMap) => {
    const image = cm.data!.image!;
    chain = chain.then(async () => {
      await applier.apply([deployment(ns, image)]);
      onLanded(image);
    });
  };
  informer.on("add", reconcile);
  informer.on("update", reconcile);
  await informer.start();
  return async () => {
    await informer.stop();
    await chain;
    client.close();
  };
};
