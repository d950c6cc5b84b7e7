/**
 * Benchmark: one operator process, N OrchestClusters in N namespaces on M kwok nodes (default 100 on 20).
 *  1. Cold start: the CRs exist and nothing else; the operator starts → every cluster Ready (Ready=True at the
 *     current generation), timed from the process's spawn. Baseline: Flux's published 1,000 Kustomizations
 *     in 4 m 15 s, scaled per applied object and per custom resource.
 *  2. Idle, W seconds once all are Ready: the operator's CPU and RSS from /proc of its process, and the writes
 *     the apiserver counted (apiserver_request_total), next to the same window with the operator stopped.
 *  3. Restart: SIGTERM, a new process → every cluster reconciled once (the operator's own reconcile count and
 *     an empty queue), with the writes the apiserver counted meanwhile; once with one worker, once with the default.
 *
 *   node lib/bench/operator-scale.js [clusters, default 100] [nodes, default 20] [idle seconds, default 60]
 *   BENCH_CPU_PROF=1 also writes a V8 CPU profile of each operator process (a sample every 10 ms) and prints its
 *   top functions, over its whole life and over the idle window.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OrchestCluster } from "../crds/types/index.js";
import { installCrds } from "../operator/install.js";
import { DEFAULT_WORKERS, ORCHEST_CLUSTER } from "../operator/reconciler.js";
import { KubeClient, type KubeObject } from "../reconcilers/index.js";
import { Cluster } from "../testbed/index.js";
import { freePort } from "../testbed/ports.js";
import { ManagedProcess, sleep } from "../testbed/process.js";
import { cpuProfiling, monotonicMicros, profilesIn, reportProfile, type CpuProfiling, type ProfileWindow } from "./cpu-profile.js";
import { processUsage } from "./process-usage.js";
import { countsSince, eventVersions, eventWritesSince, writesByResource, type RequestCounts } from "./server-counts.js";
import { runAsScript } from "./run-as-script.js";

const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));
const MiB = 2 ** 20;

/**
 * Flux v2.3's MTTP benchmark (fluxcd/flux-benchmark RESULTS.md): 1,000 Kustomizations Ready in 4 m 15 s, each
 * applying 4 objects (a Deployment scaled to zero, a ServiceAccount, a Service, an Ingress); kustomize-controller
 * with 2 CPUs and 20 workers on a 16-core runner. Its Ready needs no pod to run.
 */
const FLUX = { kustomizations: 1000, objectsEach: 4, seconds: 255, maxMemoryMiB: 190 };
/** kube-controller-manager's default --kube-api-qps (the test bed keeps it): it creates every pod. */
const CONTROLLER_MANAGER_QPS = 20;
/** What every kwok node offers: room for two DaemonSet pods per cluster plus the clusters' other pods. */
const NODE_CAPACITY = { cpu: "64", memory: "256Gi", pods: "300" };
/** Writes of the simulated kubelets (kwok's heartbeats and node leases), never the operator's. */
const KUBELET_RESOURCES = new Set(["nodes", "nodes/status", "leases"]);

interface OperatorProcess {
  readonly process: ManagedProcess;
  readonly metricsUrl: string;
  readonly spawnedAt: number;
}

async function startOperator(cluster: Cluster, index: number, profiling: CpuProfiling | undefined, workers = DEFAULT_WORKERS): Promise<OperatorProcess> {
  const port = await freePort();
  const args = [
    ...(profiling?.nodeFlags ?? []),
    operatorMain,
    // One replica, no lease: with 100 clusters rolling out (4,700 pods on a loaded 2-core test bed) the apiserver
    // answered no renewal within the 10 s renew deadline and the elected operator stepped down and exited.
    "--leader-elect=false",
    `--http-port=${port}`,
    "--http-host=127.0.0.1",
    `--concurrent=${workers}`,
  ];
  const spawnedAt = performance.now();
  const child = new ManagedProcess(`orchest-operator #${index}`, process.execPath, args, join(cluster.dir, `operator-${index}.log`), { ...process.env, KUBECONFIG: cluster.kubeconfig });
  return { process: child, metricsUrl: `http://127.0.0.1:${port}/metrics`, spawnedAt };
}

/** The operator's own word on its orchestcluster controller: reconciles done, seconds spent in them, keys waiting. */
async function operatorCounters(op: OperatorProcess): Promise<{ workers: number; reconciles: number; busySeconds: number; queued: number; active: number } | undefined> {
  const text = await fetch(op.metricsUrl).then((r) => r.text(), () => undefined);
  if (text === undefined) return undefined;
  const sum = (metric: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`${metric}{`) && l.includes('controller="orchestcluster"'))
      .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { workers: sum("controller_runtime_max_concurrent_reconciles"), reconciles: sum("controller_runtime_reconcile_total"), busySeconds: sum("controller_runtime_reconcile_time_seconds_sum"), queued: sum("workqueue_depth"), active: sum("controller_runtime_active_workers") };
}

function usageOf(op: OperatorProcess): ReturnType<typeof processUsage> {
  const pid = String(op.process.pid);
  return processUsage((candidate) => candidate === pid);
}

const isReady = (c: OrchestCluster) =>
  c.status?.observedGeneration === c.metadata?.generation && (c.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True");

/** Seconds from `since` until each cluster was first seen Ready, in order. A list a second: 100 clusters' statuses are a megabyte. */
async function readyTimes(client: KubeClient, clusters: number, since: number, op: OperatorProcess, timeoutMs: number): Promise<number[]> {
  const readyAt = new Map<string, number>();
  const deadline = performance.now() + timeoutMs;
  while (readyAt.size < clusters) {
    if (!op.process.running) throw op.process.failure("exited before every cluster was Ready");
    if (performance.now() > deadline) throw new Error(`${readyAt.size} of ${clusters} clusters Ready after ${timeoutMs / 1000} s (operator log: ${op.process.logPath})`);
    for (const c of (await client.list(ORCHEST_CLUSTER)).items as unknown as OrchestCluster[]) {
      const key = `${c.metadata!.namespace}/${c.metadata!.name}`;
      if (!readyAt.has(key) && isReady(c)) readyAt.set(key, (performance.now() - since) / 1000);
    }
    await sleep(1000);
  }
  return [...readyAt.values()].sort((a, b) => a - b);
}

const sum = (counts: RequestCounts, keep: (key: string) => boolean = () => true) => Object.entries(counts).reduce((total, [key, n]) => total + (keep(key) ? n : 0), 0);
const byCount = (counts: RequestCounts) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(", ") || "none";
const perMinute = (n: number, seconds: number) => ((n * 60) / seconds).toFixed(1);

/** Stops the operator (SIGTERM, as a rollout does) and, when profiled, prints where its CPU went in each window. */
async function stopOperator(op: OperatorProcess, profiling: CpuProfiling | undefined, label: string, windows: readonly ProfileWindow[] = []): Promise<void> {
  const before = profiling ? profilesIn(profiling.dir) : new Set<string>();
  await op.process.stop(60_000);
  if (profiling) reportProfile(profiling.dir, before, label, windows);
}

export async function run(clusters = 100, nodes = 20, idleSeconds = 60): Promise<void> {
  const bootStarted = performance.now();
  const cluster = await Cluster.start({
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `scale-node-${i + 1}`, runtime: "containerd" as const, capacity: NODE_CAPACITY })),
    containerd: false,
    registry: false,
  });
  const profiling = cpuProfiling("operator-scale");
  const client = new KubeClient(cluster.kubeConfig());
  const tb = { kubeConfig: cluster.kubeConfig() };
  let operator: OperatorProcess | undefined;
  try {
    installCrds(cluster.kubeconfig);
    const namespaces = Array.from({ length: clusters }, (_, i) => `scale-${i + 1}`);
    await Promise.all(namespaces.map((ns) => client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })));
    await Promise.all(
      namespaces.map((ns) =>
        client.create({ ...ORCHEST_CLUSTER, metadata: { name: "cluster-1", namespace: ns }, spec: { orchest: { version: "v2022.10.5" }, postgres: { image: "postgres:13.1" }, rabbitMq: { image: "rabbitmq:3" } } } as KubeObject),
      ),
    );
    process.stdout.write(`operator-scale: ${clusters} OrchestClusters in ${clusters} namespaces, ${nodes} kwok nodes (test bed up in ${((performance.now() - bootStarted) / 1000).toFixed(0)} s); the operator runs as a child process\n`);

    // 1. Cold start.
    const coldBefore = await writesByResource(tb);
    operator = await startOperator(cluster, 1, profiling);
    const times = await readyTimes(client, clusters, operator.spawnedAt, operator, 30 * 60_000);
    const coldWrites = countsSince(coldBefore, await writesByResource(tb));
    const coldUsage = usageOf(operator);
    const coldCounters = await operatorCounters(operator);
    const all = times.at(-1)!;
    const objects = ((await client.list(ORCHEST_CLUSTER)).items as unknown as OrchestCluster[]).reduce((total, c) => total + (c.status?.inventory?.entries?.length ?? 0), 0);
    const fluxObjectsPerSecond = (FLUX.kustomizations * FLUX.objectsEach) / FLUX.seconds;
    const fluxCrsPerSecond = FLUX.kustomizations / FLUX.seconds;
    const pods = coldWrites.pods ?? 0;
    process.stdout.write(
      `operator-scale: cold start → all ${clusters} Ready: ${all.toFixed(1)} s (first ${times[0]!.toFixed(1)} s, median ${times[Math.floor(clusters / 2)]!.toFixed(1)} s; goal < 60 s); ` +
        `${objects} objects applied, ${(objects / all).toFixed(1)} objects/s, ${(clusters / all).toFixed(2)} clusters/s\n` +
        `  baseline, Flux's 1,000 Kustomizations in 4 m 15 s (4 objects each, no pod to wait for): ${fluxObjectsPerSecond.toFixed(1)} objects/s → ${(objects / fluxObjectsPerSecond).toFixed(0)} s for these ${objects} objects ` +
        `(ratio ${(all / (objects / fluxObjectsPerSecond)).toFixed(2)}); per custom resource ${fluxCrsPerSecond.toFixed(2)}/s → ${(clusters / fluxCrsPerSecond).toFixed(0)} s for ${clusters} (ratio ${(all / (clusters / fluxCrsPerSecond)).toFixed(2)})\n` +
        `  the operator's ${coldCounters?.workers} workers (its own metrics): ${coldCounters?.reconciles} reconciles, in them ${coldCounters?.busySeconds.toFixed(1)} s (summed over workers) of the ${all.toFixed(1)} s; ` +
        `the process (/proc) used ${(coldUsage.cpuNanoseconds / 1e9).toFixed(1)} s of CPU, start-up included; peak RSS ${(coldUsage.peakRssBytes / MiB).toFixed(0)} MiB ` +
        `(Flux's kustomize-controller: ${FLUX.maxMemoryMiB} MiB at most for its 1,000 Kustomizations)\n` +
        `  our Ready waits for every pod: ${pods} pod writes by kube-controller-manager at its default ${CONTROLLER_MANAGER_QPS} requests/s take ≥ ${(pods / CONTROLLER_MANAGER_QPS).toFixed(0)} s alone\n` +
        `  writes the apiserver counted meanwhile, by resource: ${byCount(coldWrites)}\n`,
    );

    // 2. Idle, with the operator and then without it.
    await sleep(15_000); // the last rollouts' status changes settle
    const idleWindow = async () => {
      const fromMicros = monotonicMicros();
      const writes = await writesByResource(tb);
      const events = await eventVersions(client);
      const usage = operator && usageOf(operator);
      const counters = operator && (await operatorCounters(operator));
      await sleep(idleSeconds * 1000);
      const after = operator && usageOf(operator);
      const countersAfter = operator && (await operatorCounters(operator));
      return {
        writes: countsSince(writes, await writesByResource(tb)),
        eventWriters: eventWritesSince(events, await eventVersions(client)),
        cpuPercent: usage && after ? ((after.cpuNanoseconds - usage.cpuNanoseconds) / (idleSeconds * 1e9)) * 100 : undefined,
        rssBytes: after?.rssBytes,
        reconciles: counters && countersAfter ? countersAfter.reconciles - counters.reconciles : undefined,
        window: { label: `idle ${idleSeconds} s`, fromMicros, toMicros: monotonicMicros() },
      };
    };
    const idle = await idleWindow();
    await stopOperator(operator, profiling, "operator #1 (cold start, then idle)", [idle.window]);
    operator = undefined;
    const quiet = await idleWindow();
    const theirs = (key: string) => !KUBELET_RESOURCES.has(key);
    const idleWrites = sum(idle.writes, theirs);
    process.stdout.write(
      `operator-scale: idle over ${idleSeconds} s with ${clusters} clusters Ready: CPU ${idle.cpuPercent!.toFixed(2)} % of a core (goal < 2 %${profiling ? "; the profiler's own sampling counted: measure without BENCH_CPU_PROF" : ""}), RSS ${(idle.rssBytes! / MiB).toFixed(0)} MiB, ` +
        `${idle.reconciles} reconciles (the operator's count); writes ${perMinute(idleWrites, idleSeconds)}/min beside the kubelets' (goal 0): ${byCount(Object.fromEntries(Object.entries(idle.writes).filter(([k]) => theirs(k))))}\n` +
        `  Events created or changed in the window, by reporting controller: ${byCount(idle.eventWriters)}; with the operator stopped: ${byCount(quiet.eventWriters)}\n` +
        `  leases ${perMinute(idle.writes.leases ?? 0, idleSeconds)}/min with the operator (run without leader election), ${perMinute(quiet.writes.leases ?? 0, idleSeconds)}/min without it (kwok's ${nodes} node leases)\n` +
        `  baseline, the same window with the operator stopped: writes ${perMinute(sum(quiet.writes, theirs), idleSeconds)}/min beside the kubelets' (${byCount(Object.fromEntries(Object.entries(quiet.writes).filter(([k]) => theirs(k))))})\n`,
    );

    // 3. Restart onto converged clusters: with one worker, then with the default ones, on the same test bed.
    for (const [i, workers] of [1, DEFAULT_WORKERS].entries()) {
      const restartBefore = await writesByResource(tb);
      operator = await startOperator(cluster, i + 2, profiling, workers);
      const restarted = operator;
      await restarted.process.waitUntil(
        `done with all ${clusters} clusters`,
        async () => {
          const c = await operatorCounters(restarted);
          return c !== undefined && c.reconciles >= clusters && c.queued === 0 && c.active === 0;
        },
        30 * 60_000,
      );
      const restartSeconds = (performance.now() - restarted.spawnedAt) / 1000;
      const restartWrites = countsSince(restartBefore, await writesByResource(tb));
      const stillReady = ((await client.list(ORCHEST_CLUSTER)).items as unknown as OrchestCluster[]).filter(isReady).length;
      process.stdout.write(
        `operator-scale: restart (--concurrent=${workers}) onto ${clusters} converged clusters → each reconciled once, queue empty (the operator's own metrics): ${restartSeconds.toFixed(1)} s from spawn (goal < 60 s); ` +
          `${stillReady}/${clusters} Ready; RSS ${(usageOf(restarted).rssBytes / MiB).toFixed(0)} MiB; writes meanwhile beside the kubelets': ${sum(restartWrites, theirs)} (${byCount(Object.fromEntries(Object.entries(restartWrites).filter(([k]) => theirs(k))))})\n` +
          `  baseline, Flux at ${fluxCrsPerSecond.toFixed(2)} Kustomizations/s: ${(clusters / fluxCrsPerSecond).toFixed(0)} s for ${clusters} (ratio ${(restartSeconds / (clusters / fluxCrsPerSecond)).toFixed(2)})\n`,
      );
      await stopOperator(restarted, profiling, `operator #${i + 2} (restart, --concurrent=${workers})`);
      operator = undefined;
    }
  } finally {
    await operator?.process.stop(60_000);
    client.close();
    await cluster.stop();
  }
}

runAsScript(import.meta.url, ([clusters, nodes, idle]) => run(Number(clusters ?? 100), Number(nodes ?? 20), Number(idle ?? 60)), { exitWhenDone: true });
