/**
 * A cdk8s app that puts an Orchest cluster into its own chart: the same
 * objects `orchest synth -f ../orchestcluster.yaml` writes, next to whatever
 * else the app synthesizes. Run `npx cdk8s synth`; the manifests land in dist/.
 */
import { App } from "cdk8s";
import { readFileSync } from "node:fs";
import YAML from "yaml";
import type { OrchestCluster } from "orchest-gitops/crds/types";
import { OrchestChart, resolveContext } from "orchest-gitops/synth";

const cluster = YAML.parse(readFileSync(process.env.ORCHEST_CLUSTER_FILE ?? "../orchestcluster.yaml", "utf8")) as OrchestCluster;
const app = new App();
// CI has no cluster to detect runtimes on: every node is assumed to run containerd, as `orchest synth` does.
new OrchestChart(app, "orchest", { context: resolveContext(cluster, { nodes: [], defaultRuntime: "containerd" }) });
app.synth();
