/**
 * Benchmark: one node-agent process at steady state with N images on its node (default 100): each a real image
 * in the node's containerd with the ImageLocation orchest-api records for it. Once every location is Present,
 * over W seconds: the agent's CPU and RSS from /proc of its process, and the API requests the apiserver counted
 * (apiserver_request_total, every verb), next to the same window with the agent stopped.
 *
 *   node lib/bench/agent-idle.js [images, default 100] [idle seconds, default 120]
 *   BENCH_CPU_PROF=1 also writes a V8 CPU profile of the agent and prints its top functions, over its life and
 *   over the idle window (the sampling itself adds to the CPU figure).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageLocation } from "../crds/types/index.js";
import { IMAGE_LOCATION } from "../agent/location-identity.js";
import { startAgentProcess } from "../agent/testing/agent-process.js";
import { placeBuiltImage } from "../agent/testing/built-image.js";
import { installCrds } from "../operator/install.js";
import { KubeClient } from "../reconcilers/index.js";
import { Cluster, createTestNamespace, useTestbed } from "../testbed/index.js";
import { sleep } from "../testbed/process.js";
import { cpuProfiling, monotonicMicros, profilesIn, reportProfile } from "./cpu-profile.js";
import { processUsage } from "./process-usage.js";
import { allRequests, countsSince, type RequestCounts } from "./server-counts.js";
import { runAsScript } from "./run-as-script.js";

const MiB = 2 ** 20;
/** The agent's production settings (agent/main.ts defaults), not the tests' quick ones. */
export const PRODUCTION_ARGS = ["--verify-interval=60", "--wave-timeout=60"];
/** Requests of the simulated kubelets (kwok's heartbeats and node leases), never the agent's. */
const kubelets = (key: string) => /^\S+ (nodes|leases)\b/.test(key);

const perMinute = (n: number, seconds: number) => ((n * 60) / seconds).toFixed(1);
const listed = (counts: RequestCounts) =>
  Object.entries(counts)
    .filter(([key]) => !kubelets(key))
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(", ") || "none";
/** What the window with the agent counted beyond the window without it, by verb and resource. */
const beyond = (withAgent: RequestCounts, without: RequestCounts): RequestCounts =>
  Object.fromEntries(Object.entries(withAgent).flatMap(([key, n]) => (n > (without[key] ?? 0) ? [[key, n - (without[key] ?? 0)]] : [])));
const total = (counts: RequestCounts) => Object.entries(counts).reduce((sum, [key, n]) => sum + (kubelets(key) ? 0 : n), 0);

export async function run(images = 100, idleSeconds = 120): Promise<void> {
  const own = process.env.ORCHEST_TESTBED ? undefined : await Cluster.start({ nodes: [{ name: "agent-idle-node", runtime: "containerd" }] });
  if (own) process.env.ORCHEST_TESTBED = own.writeState();
  try {
    const tb = await useTestbed();
    installCrds(tb.kubeconfigPath);
    const node = tb.nodes.find((n) => n.containerd)!;
    const namespace = await createTestNamespace(tb.kubeConfig, "bench-agent-idle");
    const client = new KubeClient(tb.kubeConfig);
    const placing = performance.now();
    for (let i = 0; i < images; i++) await placeBuiltImage(client, { namespace, node: node.name, socket: node.containerd!.socket, registryHost: tb.registry!.host }, `idle-${i}`, 1024);
    process.stdout.write(`agent-idle: ${images} images (1 KiB each) in ${node.name}'s containerd with their ImageLocations, placed in ${((performance.now() - placing) / 1000).toFixed(0)} s\n`);

    const profiling = cpuProfiling("agent-idle");
    const profilesBefore = profiling ? profilesIn(profiling.dir) : new Set<string>();
    const agent = startAgentProcess({
      kubeconfig: tb.kubeconfigPath,
      node: node.name,
      namespace,
      socket: node.containerd!.socket,
      registryHost: tb.registry!.host,
      logDir: mkdtempSync(join(tmpdir(), "agent-idle-")),
      extraArgs: PRODUCTION_ARGS,
      ...(profiling && { nodeFlags: profiling.nodeFlags }),
    });
    try {
      const started = performance.now();
      await agent.waitUntil(`Present on all ${images} locations`, async () => ((await client.list(IMAGE_LOCATION, { namespace })).items as unknown as ImageLocation[]).filter((l) => l.status?.phase === "Present").length === images, 300_000);
      process.stdout.write(`agent-idle: every location Present ${((performance.now() - started) / 1000).toFixed(1)} s after the agent started\n`);
      await sleep(15_000); // its start-up work settles
      const window = async () => {
        const fromMicros = monotonicMicros();
        const before = await allRequests(tb);
        const usage = agent.running ? processUsage((pid) => pid === String(agent.pid)) : undefined;
        await sleep(idleSeconds * 1000);
        const after = agent.running ? processUsage((pid) => pid === String(agent.pid)) : undefined;
        return { requests: countsSince(before, await allRequests(tb)), usage, after, fromMicros, toMicros: monotonicMicros() };
      };
      const idle = await window();
      await agent.stop();
      if (profiling) reportProfile(profiling.dir, profilesBefore, "node-agent", [{ label: `idle ${idleSeconds} s`, fromMicros: idle.fromMicros, toMicros: idle.toMicros }]);
      const quiet = await window();
      const cpu = ((idle.after!.cpuNanoseconds - idle.usage!.cpuNanoseconds) / (idleSeconds * 1e9)) * 100;
      process.stdout.write(
        `agent-idle: over ${idleSeconds} s with ${images} images Present: CPU ${cpu.toFixed(2)} % of a core (goal < 1 %), RSS ${(idle.after!.rssBytes / MiB).toFixed(0)} MiB (goal < 80 MiB), ` +
          `peak RSS ${(idle.after!.peakRssBytes / MiB).toFixed(0)} MiB\n` +
          `  API requests (goal 0; the agent holds no lease): on imagelocations ${perMinute(total(Object.fromEntries(Object.entries(idle.requests).filter(([k]) => k.includes(" imagelocations")))), idleSeconds)}/min; ` +
          `beyond the same window with the agent stopped: ${listed(beyond(idle.requests, quiet.requests))}\n` +
          `  all requests beside the kubelets': ${perMinute(total(idle.requests), idleSeconds)}/min with the agent (${listed(idle.requests)}); ${perMinute(total(quiet.requests), idleSeconds)}/min without it\n`,
      );
    } finally {
      await agent.stop();
      client.close();
    }
  } finally {
    await own?.stop();
  }
}

runAsScript(import.meta.url, ([images, seconds]) => run(Number(images ?? 100), Number(seconds ?? 120)), { exitWhenDone: true });
