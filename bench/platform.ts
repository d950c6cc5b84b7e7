/**
 * Benchmark of the platform on real nodes (npm start's cluster): from `kubectl apply` of an ImageBuild to its image
 * Present on every real node (an interactive pod startable on each), and from the build's end to the first
 * interactive pod Running. Baseline: the same flow with Orchest's node-agent polling, simulated from the pushes
 * and pulls measured here (Orchest's pusher asked the api for images to push every 10 s, its pullers every 60 s:
 * services/node-agent, the controller's --image-puller-interval=60), with the expected wait of each poll.
 *
 *   node lib/bench/platform.js
 */
import { randomBytes } from "node:crypto";
import type { ImageLocation } from "../crds/types/index.js";
import { installPlatform, PLATFORM_NAMESPACE as NS, startPlatformCluster } from "../cli/platform.js";
import { Informer, KubeClient, type KubeObject } from "../reconcilers/index.js";
import { quietLog } from "../testbed/progress.js";

const PUSHER_INTERVAL_S = 10;
const PULLER_INTERVAL_S = 60;
const IL = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" };
const IB = { apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild" };

/** When each thing was first seen, in ms after the start, from watches. */
interface Timeline {
  built?: number;
  pushedFrom?: number;
  pushed?: number;
  pullStarted: Map<string, number>;
  present: Map<string, number>;
  firstPodRunning?: number;
  firstPodNode?: string;
}

const s = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`);

export async function run(): Promise<void> {
  const names = { containerd: ["bench-c1", "bench-c2", "bench-c3"], docker: "bench-d1", simulated: ["bench-sim-1", "bench-sim-2"] } as const;
  const realNodes = [...names.containerd, names.docker];
  const booted = Date.now();
  const cluster = await startPlatformCluster(names, quietLog);
  try {
    await installPlatform(cluster);
    process.stdout.write(`platform: test bed with ${realNodes.length} real nodes up and the platform Ready from the Helm chart in ${s(Date.now() - booted)}\n`);
    const client = new KubeClient(cluster.kubeConfig());
    const base = cluster.state().images!.busybox!;
    for (const node of [names.containerd[0], names.docker]) {
      const flow = await buildAndSpread(client, base, node, realNodes);
      const pulls = [...flow.present.entries()].filter(([n]) => n !== node).map(([n, at]) => at - (flow.pullStarted.get(n) ?? flow.pushed ?? at));
      const push = flow.pushed !== undefined && flow.pushedFrom !== undefined ? flow.pushed - flow.pushedFrom : 0;
      const everywhere = Math.max(...flow.present.values());
      // Orchest: the build ends, the pusher's next poll (expected half an interval) pushes; each other node's puller
      // polls every 60 s independently, so the last of n notices after 60·n/(n+1) s on average, then pulls.
      const others = realNodes.length - 1;
      const orchest = flow.built! + (PUSHER_INTERVAL_S / 2) * 1000 + push + ((PULLER_INTERVAL_S * others) / (others + 1)) * 1000 + Math.max(...pulls);
      process.stdout.write(
        `platform: ImageBuild on ${node} applied → built ${s(flow.built)} → Present on all ${realNodes.length} real nodes ${s(everywhere)} ` +
          `(push ${s(push)}, pulls ${pulls.map((p) => s(p)).join(" / ")}) | Orchest's polling, simulated with these pushes and pulls: ${s(orchest)} | ratio ${(everywhere / orchest).toFixed(2)}\n`,
      );
      process.stdout.write(`platform: build done → first interactive step pod Running (on ${flow.firstPodNode}; built on ${node}): ${s(flow.firstPodRunning! - flow.built!)}\n`);
    }
    client.close();
  } finally {
    await cluster.stop();
  }
}

/** One build of an 8 MiB image on `node`, an interactive run started the moment it is built, and its spread. */
async function buildAndSpread(client: KubeClient, base: string, node: string, realNodes: readonly string[]): Promise<Timeline> {
  const name = `bench-${randomBytes(3).toString("hex")}`;
  const timeline: Timeline = { pullStarted: new Map(), present: new Map() };
  const locations = new Informer(client, IL, { namespace: NS });
  const builds = new Informer(client, IB, { namespace: NS });
  const pods = new Informer(client, { apiVersion: "v1", kind: "Pod" }, { namespace: NS });
  let started = 0;
  const at = () => Date.now() - started;
  let image: string | undefined;
  let runCreated: Promise<unknown> | undefined;
  builds.addHandler({
    onUpdate: (_old, obj) => {
      const status = obj.status as { phase?: string; image?: string } | undefined;
      if (obj.metadata.name !== name || status?.phase !== "Succeeded" || timeline.built !== undefined) return;
      timeline.built = at();
      image = status.image;
      runCreated = client.create({
        ...{ apiVersion: "orchest.io/v1alpha1", kind: "PipelineRun" },
        metadata: { name, namespace: NS },
        spec: { mode: "Interactive", project: "bench", pipeline: { uuid: "bench", path: "bench.orchest" }, steps: [{ uuid: "step", image: `${name}:1`, command: ["wc", "-c", "/blob"] }] },
      } as KubeObject);
    },
  });
  const noteLocation = (obj: KubeObject) => {
    const location = obj as unknown as ImageLocation;
    if (!image || location.spec.image !== image) return;
    const { node: where } = location.spec;
    const phase = location.status?.phase;
    if (where === node && location.status?.reason === "Pushing") timeline.pushedFrom ??= at();
    if (where === node && location.status?.pushedToRegistry) timeline.pushed ??= at();
    if (where !== node && phase === "Pulling" && !timeline.pullStarted.has(where)) timeline.pullStarted.set(where, at());
    if (phase === "Present" && !timeline.present.has(where)) timeline.present.set(where, at());
  };
  locations.addHandler({ onAdd: noteLocation, onUpdate: (_old, obj) => noteLocation(obj) });
  pods.addHandler({
    onUpdate: (_old, obj) => {
      const running = (obj.status as { phase?: string } | undefined)?.phase;
      if (obj.metadata.name !== `${name}-step` || (running !== "Running" && running !== "Succeeded") || timeline.firstPodRunning !== undefined) return;
      timeline.firstPodRunning = at();
      timeline.firstPodNode = (obj.spec as { nodeName?: string }).nodeName;
    },
  });
  for (const informer of [locations, builds, pods]) informer.start();
  await Promise.all([locations, builds, pods].map((i) => i.waitForSync()));
  try {
    await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data: { Dockerfile: `FROM ${base}\nRUN head -c 8388608 /dev/urandom > /blob\n` } });
    started = Date.now();
    await client.create({ ...IB, metadata: { name, namespace: NS }, spec: { image: `${name}:1`, purpose: "Environment", context: { configMap: { name } }, nodeSelector: { "kubernetes.io/hostname": node } } } as KubeObject);
    const deadline = Date.now() + 600_000;
    while (!(realNodes.every((n) => timeline.present.has(n)) && timeline.firstPodRunning !== undefined)) {
      if (Date.now() > deadline) throw new Error(`the bench build ${name} did not reach every real node within 10 minutes: ${JSON.stringify({ ...timeline, present: [...timeline.present] })}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await runCreated;
    return timeline;
  } finally {
    for (const informer of [locations, builds, pods]) await informer.stop();
  }
}
