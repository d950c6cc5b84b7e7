/**
 * Benchmark: spreading one built image to N nodes.
 *  1. Real: N = 2, 4, 8 nodes, each with a real containerd and an in-process node-agent, the registry behind a
 *     proxy that caps it at B bytes/s and counts what it serves; registry only versus with peers.
 *  2. Simulated: the agents' own wave policy (agent/wave.ts) up to N = 1000, against the formulas
 *     registry star N·S/B and binary tree ~log2(N)·S/B.
 *
 *   node lib/testbed/cli.js run -- node lib/bench/agent.js     (or without a test bed: one is started)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import type { ImageLocation } from "../crds/types/index.js";
import { installCrds } from "../operator/install.js";
import { KubeClient } from "../reconcilers/index.js";
import { IMAGE_LOCATION } from "../agent/location-identity.js";
import { containerdPeerContent } from "../agent/peer/containerd-content.js";
import { RegistryClient } from "../agent/registry/client.js";
import { ContainerdDriver } from "../agent/runtime/containerd-driver.js";
import type { ContainerdStore } from "../agent/runtime/containerd-store.js";
import { placeBuiltImage, trustPlainRegistry } from "../agent/testing/built-image.js";
import { ThrottledProxy } from "../agent/testing/throttled-proxy.js";
import { pullTurn, type Holder } from "../agent/wave.js";
import { Cluster } from "../testbed/cluster.js";
import { addSimulatedNode, Containerd, createTestNamespace, useTestbed, type Testbed } from "../testbed/index.js";
import { startBenchAgent, type BenchAgent, type BenchNode } from "./bench-agent.js";
import { runAsScript } from "./run-as-script.js";

const MiB = 1 << 20;

export interface SpreadResult {
  readonly nodes: number;
  readonly peers: boolean;
  readonly seconds: number;
  readonly registryBytes: number;
  readonly peerBytes: number;
}

/** Time until an image of `imageBytes` built on the first node is Present on all `nodes`. */
async function spread(tb: Testbed, nodes: readonly BenchNode[], peers: boolean, imageBytes: number, registryBytesPerSecond: number): Promise<SpreadResult> {
  const namespace = await createTestNamespace(tb.kubeConfig, "bench-agent");
  const proxy = await ThrottledProxy.start(tb.registry!.host, registryBytesPerSecond);
  const client = new KubeClient(tb.kubeConfig);
  const agents: BenchAgent[] = [];
  try {
    for (const node of nodes) {
      trustPlainRegistry(node.hostsDir, proxy.host);
      agents.push(await startBenchAgent(tb.kubeConfig, node, { namespace, registryHost: proxy.host, hostsDir: peers, ...(peers && { peers: (store: ContainerdStore) => ({ content: containerdPeerContent(store), listenHost: "127.0.0.1", listenPort: 0 }) }) }));
    }
    const first = nodes[0]!;
    const image = await placeBuiltImage(client, { namespace, node: first.name, socket: first.socket, registryHost: proxy.host }, "bench", imageBytes);
    const started = Date.now();
    for (;;) {
      const list = (await client.list(IMAGE_LOCATION, { namespace })).items as unknown as ImageLocation[];
      if (nodes.every((node) => list.some((l) => l.spec.node === node.name && l.spec.digest === image.digest && l.status?.phase === "Present"))) break;
      if (Date.now() - started > 300_000) throw new Error(`not Present on all ${nodes.length} nodes after 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    const peerBytes = agents.reduce((sum, { agent }) => sum + (agent.peer?.bytesServed ?? 0), 0);
    // Remove the pulled copies so that the next run pulls again.
    for (const node of nodes.slice(1)) {
      const driver = new ContainerdDriver({ socket: node.socket, registry: new RegistryClient() });
      await driver.remove(image.digest);
      driver.close();
    }
    return { nodes: nodes.length, peers, seconds, registryBytes: proxy.bytesServed, peerBytes };
  } finally {
    for (const agent of agents) await agent.stop();
    await proxy.close();
    client.close();
  }
}

/** Grows `nodes` (the test bed's containerd nodes at first) with simulated nodes, each with a containerd started here. */
async function benchNodes(tb: Testbed, nodes: BenchNode[], count: number, extras: Containerd[]): Promise<BenchNode[]> {
  while (nodes.length < count) {
    const name = `bench-node-${nodes.length + 1}-${process.pid}`;
    const containerd = await Containerd.forSimulatedNode(mkdtempSync(join(tmpdir(), `${name}-`)), tb.registry!.host);
    extras.push(containerd);
    await addSimulatedNode(tb.kubeConfig, { name, runtime: "containerd" });
    nodes.push({ name, socket: containerd.socket, hostsDir: containerd.hostsDir });
  }
  return nodes.slice(0, count);
}

export interface SimulatedSpread {
  readonly nodes: number;
  /** In units of S/B, the time of one full-bandwidth transfer. */
  readonly waveTime: number;
  readonly registryCopies: number;
}

/**
 * Event-driven run of the wave policy: every transfer takes S/B (a source feeds one pull at a time at B),
 * each agent decides alone from the current phases, exactly as agent/wave.ts does on a node.
 */
export function simulateWave(n: number): SimulatedSpread {
  const digest = `sha256:${"b".repeat(64)}`;
  const holders = new Map<string, Holder & { done?: number }>();
  holders.set("node-0", { node: "node-0", seed: true, phase: "Present", peerAddress: "node-0" });
  for (let i = 1; i < n; i++) holders.set(`node-${i}`, { node: `node-${i}`, seed: false });
  let now = 0;
  let registryCopies = 0;
  for (;;) {
    const snapshot = [...holders.values()];
    for (const h of snapshot) {
      if (h.phase === "Present") continue;
      if (h.phase === "Pulling") continue;
      const turn = pullTurn(h.node, digest, snapshot, { fanout: 1, registryHasIt: true });
      if (!turn.start) continue;
      if (!turn.peer) registryCopies++;
      const pulling = { ...h, phase: "Pulling", pullingFrom: turn.from, done: now + 1 };
      holders.set(h.node, pulling);
      snapshot[snapshot.indexOf(h)] = pulling;
    }
    const running = [...holders.values()].filter((h) => h.phase === "Pulling");
    if (running.length === 0) break;
    now = Math.min(...running.map((h) => h.done!));
    for (const h of running) if (h.done === now) holders.set(h.node, { node: h.node, seed: false, phase: "Present", peerAddress: h.node });
  }
  return { nodes: n, waveTime: now, registryCopies };
}

/** Prints real spreads (registry only vs peers) and the simulated policy next to the formulas. */
export async function run(imageBytes = 8 * MiB, registryBytesPerSecond = 8 * MiB, sizes: readonly number[] = [2, 4, 8]): Promise<{ real: SpreadResult[]; simulated: SimulatedSpread[] }> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const own = process.env.ORCHEST_TESTBED ? undefined : await Cluster.start();
  if (own) process.env.ORCHEST_TESTBED = own.writeState();
  const extras: Containerd[] = [];
  const real: SpreadResult[] = [];
  let tb: Testbed | undefined;
  try {
    tb = await useTestbed();
    installCrds(tb.kubeconfigPath);
    const S = imageBytes / MiB;
    const B = registryBytesPerSecond / MiB;
    out(`agent spread (real containerd): image ${S} MiB, registry capped at ${B} MiB/s (peers uncapped, loopback)`);
    out(`nodes | registry only: s, registry MiB | with peers: s, registry MiB, peer MiB | registry bytes ratio | star (N−1)·S/B s`);
    const pool: BenchNode[] = tb.nodes.filter((n) => n.containerd).map((n) => ({ name: n.name, ...n.containerd! }));
    for (const n of sizes) {
      const nodes = await benchNodes(tb, pool, n, extras);
      const star = await spread(tb, nodes, false, imageBytes, registryBytesPerSecond);
      const wave = await spread(tb, nodes, true, imageBytes, registryBytesPerSecond);
      real.push(star, wave);
      const mib = (b: number) => (b / MiB).toFixed(1);
      out(
        `${String(n).padStart(5)} | ${star.seconds.toFixed(1).padStart(6)} s ${mib(star.registryBytes).padStart(6)} | ${wave.seconds.toFixed(1).padStart(6)} s ${mib(wave.registryBytes).padStart(6)} ${mib(wave.peerBytes).padStart(6)} | ` +
          `${(wave.registryBytes ? `${(star.registryBytes / wave.registryBytes).toFixed(2)}×` : "all from peers").padStart(6)} | ${(((n - 1) * S) / B).toFixed(1)}`,
      );
    }
  } finally {
    for (const containerd of extras) await containerd.stop();
    if (tb) {
      const core = tb.kubeConfig.makeApiClient(CoreV1Api);
      for (const node of (await core.listNode()).items.filter((n) => n.metadata!.name!.startsWith("bench-node-"))) await core.deleteNode({ name: node.metadata!.name! });
    }
    await own?.stop();
  }

  out(`\nwave policy (simulated, time in units of S/B, fanout 1, registry = one more source)`);
  out(`nodes | wave time | log2(N) tree | N star | registry copies (star: N)`);
  const simulated = [2, 4, 8, 16, 64, 256, 1000].map((n) => simulateWave(n));
  for (const s of simulated) {
    out(`${String(s.nodes).padStart(5)} | ${String(s.waveTime).padStart(9)} | ${Math.log2(s.nodes).toFixed(2).padStart(12)} | ${String(s.nodes).padStart(6)} | ${s.registryCopies}`);
  }
  return { real, simulated };
}

runAsScript(import.meta.url, () => run());
