// Zero-writes benchmark: requests per no-op reconcile over a corpus of real-world manifests (the synthesized
// platform, the Helm chart as `helm template` renders it, and upstream manifests written by hand), ours next to
// `kubectl apply --server-side` of the same manifests, which GitOps tools pay on every sync. One private
// control plane per corpus source, whose apiserver counts nobody else's writes.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { CHART_DIR } from "../cli/paths.js";
import type { OrchestCluster } from "../crds/types/index.js";
import { Applier } from "../reconcilers/apply/applier.js";
import { cacheReader } from "../reconcilers/apply/live.js";
import { upstreamManifests } from "../reconcilers/apply/testing/upstream-manifests.js";
import { SharedInformers } from "../reconcilers/cache/shared-informers.js";
import { KubeClient } from "../reconcilers/client/client.js";
import type { KubeObject } from "../reconcilers/client/object.js";
import { apiserverRequests, printComparison } from "../reconcilers/testing.js";
import { synth } from "../synth/index.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { apiserverGet, startControlPlane } from "../testbed/index.js";
import { quietLog } from "../testbed/progress.js";
import { BENCH_CLUSTER, BENCH_FACTS } from "./synth.js";

export interface CorpusSource {
  readonly name: string;
  readonly objects: KubeObject[];
}

const example = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));
const namespaceOf = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
// Plain JSON, as a GitOps tool reads the files: synth's objects are frozen cdk8s output.
const plain = (objects: readonly unknown[]): KubeObject[] => JSON.parse(JSON.stringify(objects)) as KubeObject[];

/** The corpus: each source applies on its own to an empty cluster. */
export async function zeroWritesCorpus(): Promise<CorpusSource[]> {
  const helm = (await ensureBinaries(quietLog)).helm ?? "helm";
  // --skip-tests: a chart's test pods are created by `helm test`, not by an install.
  const rendered = execFileSync(helm, ["template", "orchest-operator", CHART_DIR, "--include-crds", "--skip-tests", "--set", "replicas=2"], { encoding: "utf8" });
  const exampleCluster = YAML.parse(readFileSync(example, "utf8")) as OrchestCluster;
  return [
    { name: "synth: examples/orchestcluster.yaml", objects: [namespaceOf("orchest"), ...plain(synth(exampleCluster, BENCH_FACTS))] },
    { name: "synth: every feature (bench cluster)", objects: [namespaceOf("orchest"), ...plain(synth(BENCH_CLUSTER, BENCH_FACTS))] },
    { name: "Helm chart: helm template --include-crds --skip-tests", objects: YAML.parseAllDocuments(rendered).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null) },
    { name: "upstream manifests written by hand", objects: upstreamManifests("corpus") },
  ];
}

export interface NoOpResult {
  /** Requests the applier sent per no-op apply, once converged (reads are served by the cache). */
  readonly requestsPerNoOp: number;
  /** Writes the apiserver served per no-op apply. */
  readonly serverWritesPerNoOp: number;
  /** Objects written again after convergence: `Kind/name`. */
  readonly rewritten: string[];
}

/**
 * Applies `objects` until converged (the first apply creates, the second learns what the server dropped),
 * then `noOps` more times, counting requests. Needs a cluster of its own: the apiserver's count is global.
 */
export async function measureNoOps(kubeConfig: Parameters<typeof apiserverGet>[0], objects: KubeObject[], noOps = 20): Promise<NoOpResult> {
  // The applier's own client counts what a reconcile sends; the informers' upkeep (a watch reopened) is not part of it.
  const client = new KubeClient(kubeConfig);
  const watching = new KubeClient(kubeConfig);
  const informers = new SharedInformers(watching);
  informers.start();
  try {
    const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: { "app.kubernetes.io/managed-by": "zero-writes" } });
    const first = await applier.apply(objects);
    await applier.apply(objects, first.inventory);
    const sent = client.counter.total();
    const served = serverWrites(await apiserverGet(kubeConfig, "/metrics"));
    const rewritten = new Set<string>();
    for (let i = 0; i < noOps; i++) {
      const changes = await applier.apply(objects, first.inventory);
      for (const ref of [...changes.created, ...changes.configured]) rewritten.add(`${ref.kind}/${ref.name}`);
    }
    return {
      requestsPerNoOp: (client.counter.total() - sent) / noOps,
      serverWritesPerNoOp: (serverWrites(await apiserverGet(kubeConfig, "/metrics")) - served) / noOps,
      rewritten: [...rewritten],
    };
  } finally {
    await informers.stop();
    client.close();
    watching.close();
  }
}

// Writes of every resource but the apiserver's own leases; server-side apply counts as verb APPLY.
function serverWrites(metrics: string): number {
  return apiserverRequests(metrics, (l) => l.resource !== "leases" && ["POST", "PUT", "PATCH", "APPLY", "DELETE"].includes(l.verb!));
}

export async function run(): Promise<void> {
  const kubectl = (await ensureBinaries(quietLog)).kubectl!;
  const rows: Array<[string, number, number]> = [];
  for (const source of await zeroWritesCorpus()) {
    const cp = await startControlPlane();
    try {
      const ours = await measureNoOps(cp.kubeConfig(), source.objects);
      // The baseline: one more sync of the same files by kubectl's server-side apply.
      const yaml = source.objects.map((o) => YAML.stringify(o)).join("---\n");
      const before = serverWrites(await cp.apiserver.metricsText());
      const synced = spawnSync(kubectl, ["--kubeconfig", cp.kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=bench", "-f", "-"], { input: yaml, encoding: "utf8" });
      const ssa = serverWrites(await cp.apiserver.metricsText()) - before;
      // kubectl may refuse some objects (a StorageClass' empty parameters read as an update): its writes still count.
      const refused = synced.stderr.split("\n").filter((line) => /is invalid|error/i.test(line));
      if (synced.status !== 0) process.stdout.write(`  kubectl apply --server-side refused: ${refused.join("; ")}\n`);
      rows.push([`${source.name} (${source.objects.length} objects)`, ours.requestsPerNoOp, ssa]);
      if (ours.rewritten.length > 0) process.stdout.write(`  rewritten at steady state: ${ours.rewritten.join(", ")}\n`);
    } finally {
      await cp.stop();
    }
  }
  printComparison("zero writes: requests per no-op reconcile (ours: every request sent; kubectl apply --server-side: write requests of one sync)", "kubectl SSA", rows);
}
