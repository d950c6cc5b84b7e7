/**
 * Benchmark: one built image spread to the test bed's real nodes (kubelet + containerd, each in its own network and
 * mount namespaces), the registry capped; registry only against peers, a few runs each, medians. Then the agents'
 * wave policy to 1,000 nodes (bench/wave-model.ts), calibrated on those runs: the pull overhead and the peer rate
 * measured here, the registry's cap.
 *
 * The node-agents run in this process, one per real node, each on its node's own containerd (the socket as the host
 * reaches it), not as the operator's DaemonSet: the pulls are what is measured, and they are the same either way,
 * since the agent only asks the node's containerd (CRI PullImage, in the node's network namespace) and lists mirrors
 * in the node's hosts.toml; the DaemonSet would add the platform's install and pod start-up, which the platform bench
 * measures, and hide the peers' byte counts. Because the pulls leave from the nodes' namespaces, the capped registry
 * and the peers' blob servers listen on the host's address of the nodes' network (where the test bed's registry
 * listens), not on loopback.
 *
 *   node lib/testbed/cli.js run --nodes containerd,containerd,containerd -- node lib/bench/agent-real-nodes.js [MiB] [registry MiB/s] [runs]
 *   (without a test bed: one with 3 real containerd nodes is started; real nodes need root)
 */
import { CoreV1Api } from "@kubernetes/client-node";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import type { ImageLocation } from "../crds/types/index.js";
import { installCrds } from "../operator/install.js";
import { Informer, KubeClient, type KubeObject } from "../reconcilers/index.js";
import { IMAGE_LOCATION } from "../agent/location-identity.js";
import { type PeerContent } from "../agent/peer/blob-server.js";
import { containerdPeerContent } from "../agent/peer/containerd-content.js";
import { RegistryClient } from "../agent/registry/client.js";
import { ContainerdDriver } from "../agent/runtime/containerd-driver.js";
import type { ContainerdStore } from "../agent/runtime/containerd-store.js";
import { placeBuiltImage } from "../agent/testing/built-image.js";
import { ThrottledProxy } from "../agent/testing/throttled-proxy.js";
import { Cluster } from "../testbed/cluster.js";
import { createTestNamespace, useTestbed, type Testbed } from "../testbed/index.js";
import { startBenchAgent, type BenchAgent, type BenchNode } from "./bench-agent.js";
import { runAsScript } from "./run-as-script.js";
import { starSpread, waveSpread, type PullCosts } from "./wave-model.js";

const MiB = 1 << 20;

/** One pull, in ms of the clock. */
interface Pull {
  readonly node: string;
  readonly from: "peer" | "registry";
  readonly started: number;
  readonly present: number;
}

export interface RealSpread {
  readonly peers: boolean;
  /** From the built ImageLocation created to Present on every node. */
  readonly seconds: number;
  /** From the built ImageLocation created to the seed Present (pushed): the pullers' sources exist from then on. */
  readonly seedSeconds: number;
  readonly registryBytes: number;
  readonly peerBytes: number;
  /** Each layer a peer served: its rate from its first to its last byte, as the puller took them. */
  readonly peerRates: readonly number[];
  /** Each pull's start and end, in seconds after the seed was Present. */
  readonly pulls: readonly { node: string; from: "peer" | "registry"; started: number; present: number }[];
}

/** Time until an image of `imageBytes` built on the first node is Present on all `nodes`, with what each pull took. */
async function spread(tb: Testbed, nodes: readonly BenchNode[], listenHost: string, peers: boolean, imageBytes: number, registryBytesPerSecond: number): Promise<RealSpread> {
  const namespace = await createTestNamespace(tb.kubeConfig, "bench-real-spread");
  const proxy = await ThrottledProxy.start(tb.registry!.host, registryBytesPerSecond);
  const front = await relay(listenHost, proxy.host);
  const client = new KubeClient(tb.kubeConfig);
  const agents: BenchAgent[] = [];
  const locations = new Informer(client, IMAGE_LOCATION, { namespace });
  const seed = nodes[0]!;
  let seedPresent: number | undefined;
  const started = new Map<string, { at: number; from: "peer" | "registry" }>();
  const pulls = new Map<string, Pull>();
  const served: Served[] = [];
  const note = (obj: KubeObject) => {
    const { spec, status } = obj as unknown as ImageLocation;
    const at = Date.now();
    if (status?.phase === "Pulling" && (status.reason === "PullingFromPeer" || status.reason === "PullingFromRegistry") && !started.has(spec.node)) {
      started.set(spec.node, { at, from: status.reason === "PullingFromPeer" ? "peer" : "registry" });
    }
    if (status?.phase !== "Present") return;
    if (spec.node === seed.name) seedPresent ??= at;
    const start = started.get(spec.node);
    if (start && !pulls.has(spec.node)) pulls.set(spec.node, { node: spec.node, from: start.from, started: start.at, present: at });
  };
  locations.addHandler({ onAdd: note, onUpdate: (_old, obj) => note(obj) });
  locations.start();
  try {
    await locations.waitForSync();
    for (const node of nodes) {
      // The agent writes the node's hosts.toml for the capped registry (plain HTTP off loopback needs it).
      agents.push(await startBenchAgent(tb.kubeConfig, node, { namespace, registryHost: front.host, hostsDir: true, ...(peers && { peers: (store: ContainerdStore) => ({ content: timed(containerdPeerContent(store), served), listenHost, listenPort: 0 }) }) }));
    }
    const image = await placeBuiltImage(client, { namespace, node: seed.name, socket: seed.socket, registryHost: front.host }, "bench", imageBytes);
    const created = Date.now();
    while (pulls.size < nodes.length - 1) {
      if (Date.now() - created > 300_000) throw new Error(`not Present on all ${nodes.length} nodes after 300 s: ${[...pulls.keys()].join(", ") || "none"} pulled`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const last = Math.max(...[...pulls.values()].map((p) => p.present));
    const result: RealSpread = {
      peers,
      seconds: (last - created) / 1000,
      seedSeconds: (seedPresent! - created) / 1000,
      registryBytes: proxy.bytesServed,
      peerBytes: agents.reduce((sum, { agent }) => sum + (agent.peer?.bytesServed ?? 0), 0),
      // Layers only: the manifest and config are too small to time.
      peerRates: served.filter((s) => s.bytes >= MiB && s.last > s.first).map((s) => s.bytes / ((s.last - s.first) / 1000)),
      pulls: [...pulls.values()].map((p) => ({ node: p.node, from: p.from, started: (p.started - seedPresent!) / 1000, present: (p.present - seedPresent!) / 1000 })),
    };
    for (const agent of agents.splice(0)) await agent.stop();
    // Every node loses the image (the seed its built copy too): the next run pulls again, and the disk stays small.
    for (const node of nodes) {
      const driver = new ContainerdDriver({ socket: node.socket, registry: new RegistryClient() });
      await driver.remove(image.digest);
      driver.close();
    }
    return result;
  } finally {
    for (const agent of agents) await agent.stop();
    await locations.stop();
    await front.close();
    await proxy.close();
    await tb.kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    client.close();
  }
}

interface Served {
  bytes: number;
  first: number;
  last: number;
}

/** `content` that notes, for each blob it is read for, its bytes and when the first and last of them went. */
function timed(content: PeerContent, served: Served[]): PeerContent {
  return {
    ...content,
    async *read(digest) {
      const blob: Served = { bytes: 0, first: 0, last: 0 };
      served.push(blob);
      for await (const chunk of content.read(digest)) {
        blob.first ||= Date.now();
        yield chunk;
        blob.bytes += chunk.length;
        blob.last = Date.now();
      }
    },
  };
}

/**
 * A TCP relay from `host` (an address the nodes reach) to `target` on loopback, where ThrottledProxy listens: the
 * proxy's throttle and count stay the only ones.
 */
async function relay(host: string, target: string): Promise<{ host: string; close(): Promise<void> }> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => (socket === client ? upstream : client).destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  return {
    host: `${host}:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

const median = (values: readonly number[]) => {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface RealNodesBench {
  readonly star: readonly RealSpread[];
  readonly wave: readonly RealSpread[];
  readonly costs: PullCosts;
  /** The 1-minute load average, sampled every second while the runs went. */
  readonly load: { readonly min: number; readonly max: number; readonly median: number };
}

/** Prints the real spreads (registry only, then peers), the calibration, and what the model predicts up to 1,000 nodes. */
export async function run(imageBytes = 50 * MiB, registryBytesPerSecond = 20 * MiB, runs = 3): Promise<RealNodesBench> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const own = process.env.ORCHEST_TESTBED ? undefined : await Cluster.start({ realNodes: ["containerd-1", "containerd-2", "containerd-3"].map((name) => ({ name: `bench-${name}`, runtime: "containerd" as const })) });
  if (own) process.env.ORCHEST_TESTBED = own.writeState();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(loadavg()[0]!), 1000);
  const star: RealSpread[] = [];
  const wave: RealSpread[] = [];
  const S = imageBytes / MiB;
  const B = registryBytesPerSecond / MiB;
  try {
    const tb = await useTestbed();
    const nodes: BenchNode[] = tb.nodes.filter((n) => n.real && n.containerd).map((n) => ({ name: n.name, ...n.containerd! }));
    if (nodes.length < 2) throw new Error(`${nodes.length} real containerd nodes in this test bed, at least 2 needed. Fix: testbed run --nodes containerd,containerd,containerd`);
    // With real nodes the registry listens on the host's address of their network: so will the proxy and the peers.
    const listenHost = tb.registry!.host.slice(0, tb.registry!.host.lastIndexOf(":"));
    installCrds(tb.kubeconfigPath);
    out(`agent spread on ${nodes.length} real nodes (kubelet + containerd each): image ${S} MiB of random bytes, registry capped at ${B} MiB/s, peers uncapped; ${runs} runs each way`);
    out(`run | registry only: s, registry MiB | with peers: s, registry MiB, peer MiB | pulls with peers (s after the seed was Present: start → Present, source)`);
    for (let i = 0; i < runs; i++) {
      const a = await spread(tb, nodes, listenHost, false, imageBytes, registryBytesPerSecond);
      const b = await spread(tb, nodes, listenHost, true, imageBytes, registryBytesPerSecond);
      star.push(a);
      wave.push(b);
      const pulls = b.pulls.map((p) => `${p.started.toFixed(1)} → ${p.present.toFixed(1)} ${p.from}`).join(", ");
      out(`${String(i + 1).padStart(3)} | ${a.seconds.toFixed(1).padStart(6)} s ${mib(a.registryBytes).padStart(6)} | ${b.seconds.toFixed(1).padStart(6)} s ${mib(b.registryBytes).padStart(6)} ${mib(b.peerBytes).padStart(6)} | ${pulls}`);
    }
  } finally {
    clearInterval(sampler);
    await own?.stop();
  }
  const load = { min: Math.min(...samples), max: Math.max(...samples), median: median(samples) };
  const T = { star: median(star.map((s) => s.seconds)), wave: median(wave.map((s) => s.seconds)) };
  const bytes = { star: median(star.map((s) => s.registryBytes)), wave: median(wave.map((s) => s.registryBytes)), peer: median(wave.map((s) => s.peerBytes)) };
  out(`median | registry only ${T.star.toFixed(1)} s, ${mib(bytes.star)} MiB from the registry | with peers ${T.wave.toFixed(1)} s, ${mib(bytes.wave)} MiB from the registry, ${mib(bytes.peer)} MiB from peers`);
  out(`ratio (peers / registry only) | time ${(T.wave / T.star).toFixed(2)} | registry bytes ${(bytes.wave / bytes.star).toFixed(2)}`);
  out(`load average (1 min) during the runs: median ${load.median.toFixed(1)}, ${load.min.toFixed(1)}–${load.max.toFixed(1)} on ${availableParallelism()} cores`);

  // Calibration: the peer rate as the serving peers timed their layers; a pull's overhead, what a pull with peers took
  // beyond moving the image (at that rate from a peer, at the cap from the registry). Registry only is then a check.
  const lead = median([...star, ...wave].map((s) => s.seedSeconds));
  const others = star[0]!.pulls.length;
  const peerRates = wave.flatMap((s) => s.peerRates);
  if (peerRates.length === 0) throw new Error("no layer came from a peer: nothing to calibrate the peer rate on");
  const P = median(peerRates);
  const overhead = Math.max(0, median(wave.flatMap((s) => s.pulls.map((p) => p.present - imageBytes / (p.from === "peer" ? P : registryBytesPerSecond)))));
  const costs: PullCosts = { imageBytes, overheadSeconds: overhead, registryBytesPerSecond, peerBytesPerSecond: P };
  const took = (from: "peer" | "registry") => wave.flatMap((s) => s.pulls.filter((p) => p.from === from).map((p) => p.present));
  const tookText = (from: "peer" | "registry") => (took(from).length ? `${median(took(from)).toFixed(1)} s` : "none");
  out(`\ncalibration: the seed pushed and Present ${lead.toFixed(1)} s after its ImageLocation; a peer served its layer at ${(P / MiB).toFixed(0)} MiB/s (median of ${peerRates.length});`);
  out(`  a pull with peers took ${tookText("peer")} from a peer, ${tookText("registry")} from the registry (${(S / B).toFixed(1)} s at the cap): overhead ${overhead.toFixed(1)} s a pull`);
  out(`model (bench/wave-model.ts: agent/wave.ts's pullTurn, sources' bandwidth shared), times from the built ImageLocation: seed ${lead.toFixed(1)} s + spread`);
  out(`nodes         | registry only: s, registry copies | with peers: s, registry copies | ratio: time, registry bytes`);
  const row = (label: string, star: { seconds: number; copies: number }, wave: { seconds: number; copies: number }) =>
    out(`${label.padEnd(13)} | ${star.seconds.toFixed(1).padStart(7)} s ${star.copies.toFixed(2).padStart(6)} | ${wave.seconds.toFixed(1).padStart(7)} s ${wave.copies.toFixed(2).padStart(6)} | ${(wave.seconds / star.seconds).toFixed(2)}, ${(wave.copies / star.copies).toFixed(2)}`);
  row(`${others + 1} measured`, { seconds: T.star, copies: bytes.star / imageBytes }, { seconds: T.wave, copies: bytes.wave / imageBytes });
  for (const n of [others + 1, 10, 100, 1000]) {
    const [s, w] = [starSpread(n, costs), waveSpread(n, costs)];
    row(`${n} model`, { seconds: lead + s.seconds, copies: s.registryCopies }, { seconds: lead + w.seconds, copies: w.registryCopies });
  }
  // For comparison, pulls that end together (peers as slow as the registry): the rounds of a binary tree.
  const lockstep = [10, 100, 1000].map((n) => `${n}: ${(lead + waveSpread(n, { ...costs, peerBytesPerSecond: registryBytesPerSecond }).seconds).toFixed(1)} s`);
  out(`same model, peers slowed to the registry's ${B} MiB/s so that pulls end together: ${lockstep.join(", ")}`);
  return { star, wave, costs, load };
}

runAsScript(import.meta.url, (args) => run(args[0] ? Number(args[0]) * MiB : undefined, args[1] ? Number(args[1]) * MiB : undefined, args[2] ? Number(args[2]) : undefined), { exitWhenDone: true });
