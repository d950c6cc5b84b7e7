// The embedded platform of `npm start`, its end-to-end test and its benchmark: a test bed with three containerd
// and one docker real node (plus two simulated ones for Orchest's Python components, whose images no node can
// pull), the operator installed with its Helm chart from the image the test bed pushed, and the operator rolling
// out examples/orchestcluster-testbed.yaml (with the test bed's registry named plain HTTP). The host runs no
// platform process.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import type { OrchestCluster } from "../crds/types/index.js";
import { ANNOTATIONS } from "../synth/index.js";
import { ensureBinaries, type Binaries } from "../testbed/binaries.js";
import { Cluster } from "../testbed/cluster.js";
import type { Log } from "../testbed/progress.js";
import { REAL_NODE_LABEL } from "../testbed/real-node.js";
import { PACKAGE_ROOT } from "./paths.js";

/** Where the example cluster lives. */
export const PLATFORM_NAMESPACE = "orchest";
export const PLATFORM_CLUSTER = "cluster-1";

export interface PlatformNodeNames {
  readonly containerd: readonly [string, string, string];
  readonly docker: string;
  readonly simulated: readonly [string, string];
}

export const DEFAULT_NODE_NAMES: PlatformNodeNames = {
  containerd: ["containerd-1", "containerd-2", "containerd-3"],
  docker: "docker-1",
  simulated: ["simulated-1", "simulated-2"],
};

/** Boots the platform's test bed (no platform on it yet). */
export function startPlatformCluster(names: PlatformNodeNames = DEFAULT_NODE_NAMES, log?: Log): Promise<Cluster> {
  return Cluster.start({
    nodes: names.simulated.map((name) => ({ name, runtime: "containerd" as const })),
    containerd: false,
    realNodes: [...names.containerd.map((name) => ({ name, runtime: "containerd" as const })), { name: names.docker, runtime: "docker" as const }],
    // Every pod that asks for a real node may have one: nothing here is meant for simulated nodes by default.
    taintRealNodes: false,
    ...(log && { log }),
  });
}

/** What a user of the cluster has: its kubeconfig, and kubectl and helm of the pinned versions first on PATH. */
export function userEnv(cluster: Cluster, binaries: Binaries): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: cluster.kubeconfig, PATH: [...new Set(Object.values(binaries).map((path) => dirname(path))), process.env.PATH].join(":") };
}

/**
 * `orchest install --helm` of the operator from the test bed's image, on a real node, with the example cluster;
 * resolves with what it printed once the cluster is Ready. `echo`: its output on ours as well.
 */
export async function installPlatform(cluster: Cluster, echo = false): Promise<{ binaries: Binaries; output: string }> {
  const binaries = await ensureBinaries(() => undefined);
  const image = cluster.state().images!["orchest-gitops"]!;
  // The example cluster, told that the test bed's registry (this project's images, the tests' base images) is
  // plain HTTP, as a platform team would name an internal mirror without TLS.
  const example = YAML.parse(readFileSync(join(PACKAGE_ROOT, "examples", "orchestcluster-testbed.yaml"), "utf8")) as OrchestCluster;
  example.metadata = { ...example.metadata, annotations: { ...example.metadata?.annotations, [ANNOTATIONS.plainHttpRegistries]: cluster.state().registry!.host } };
  const clusterFile = join(cluster.dir, "orchestcluster.yaml");
  writeFileSync(clusterFile, YAML.stringify(example));
  const args = ["install", "--helm", "--image", image, "--node-selector", `${REAL_NODE_LABEL}=true`, "-f", clusterFile, "--timeout", "10m"];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, "lib", "cli", "main.js"), ...args], { stdio: ["ignore", "pipe", "pipe"], env: userEnv(cluster, binaries) });
    let text = "";
    const take = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      text += chunk.toString();
      if (echo) to.write(chunk);
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`orchest ${args.join(" ")} exited with ${code}:\n${text.slice(-2000)}`))));
  });
  return { binaries, output };
}
