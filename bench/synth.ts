/**
 * Benchmark: time to synthesize a full Orchest cluster in process (every
 * component, Ingresses, a mixed docker/containerd node set), objects and YAML.
 *
 *   node lib/bench/synth.js [iterations]
 */
import type { OrchestCluster } from "../crds/types/index.js";
import { synth, toYaml, type ClusterFacts } from "../synth/index.js";
import { runAsScript } from "./run-as-script.js";

/** A cluster using every feature synth() renders. */
export const BENCH_CLUSTER: OrchestCluster = {
  apiVersion: "orchest.io/v1alpha1",
  kind: "OrchestCluster",
  metadata: { name: "bench", namespace: "orchest", annotations: { "orchest.io/restart": "1" } },
  spec: {
    singleNode: false,
    orchest: {
      version: "v2022.10.5",
      registry: "registry.example.com:5000",
      orchestHost: "orchest.example.com",
      env: [{ name: "ORCHEST_LOG_LEVEL", value: "DEBUG" }],
      resources: { userDirVolumeSize: "100Gi", separateOrchestStateFromUserDir: true, orchestStateVolumeSize: "20Gi" },
      orchestApi: { env: [{ name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] },
      orchestWebServer: { image: "registry.acme.io/orchest/orchest-webserver:v2022.10.5" },
    },
    postgres: { image: "postgres:13.1" },
    rabbitMq: { image: "rabbitmq:3" },
    controlNodeSelector: { "node-role.kubernetes.io/control-plane": "" },
  },
};

/** Three nodes, one docker and two containerd (the test bed's shape). */
export const BENCH_FACTS: ClusterFacts = {
  nodes: [
    { name: "node-1", runtime: "docker" },
    { name: "node-2", runtime: "containerd" },
    { name: "node-3", runtime: "containerd" },
  ],
};

/** Timing summary, in milliseconds. */
export interface SynthBenchResult {
  readonly iterations: number;
  readonly objects: number;
  readonly yamlBytes: number;
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Times `synth()` + `toYaml()` of BENCH_CLUSTER, after a few warm-up runs. */
export function measure(iterations = 50, warmup = 5): SynthBenchResult {
  let objects = 0;
  let yamlBytes = 0;
  for (let i = 0; i < warmup; i++) toYaml(synth(BENCH_CLUSTER, BENCH_FACTS));
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const manifests = synth(BENCH_CLUSTER, BENCH_FACTS);
    const yaml = toYaml(manifests);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    objects = manifests.length;
    yamlBytes = Buffer.byteLength(yaml);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    iterations,
    objects,
    yamlBytes,
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

/** Prints the in-process synth time of a full cluster. */
export async function run(iterations = 50): Promise<SynthBenchResult> {
  const r = measure(iterations);
  const f = (n: number): string => n.toFixed(2);
  process.stdout.write(
    `synth (in process): full cluster, ${r.objects} objects, ${r.yamlBytes} bytes of YAML, ${r.iterations} runs: ` +
      `mean ${f(r.meanMs)} ms, median ${f(r.medianMs)} ms, p95 ${f(r.p95Ms)} ms, min ${f(r.minMs)} ms, max ${f(r.maxMs)} ms\n`,
  );
  return r;
}

runAsScript(import.meta.url, ([count]) => {
  const n = Number(count ?? "50");
  return run(Number.isFinite(n) && n > 0 ? n : 50);
});
