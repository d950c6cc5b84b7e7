#!/usr/bin/env node
// `npm start`: the main job on the embedded test bed. Boots a cluster of real nodes (three containerd, one docker)
// and two simulated ones, pushes this project's images to its registry, installs the operator with its Helm chart,
// and lets the operator deploy the platform (examples/orchestcluster-testbed.yaml): this project's api, node-agent,
// buildkit-daemon and registry run as pods on the real nodes; the host runs no platform process. Prints what to
// try next and keeps everything up until Ctrl-C.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinaries } from "../testbed/binaries.js";
import { exampleWithImage } from "./examples.js";
import { Cluster } from "../testbed/cluster.js";
import { prefixedLog, seconds, stderrLog } from "../testbed/progress.js";
import { REAL_NODE_LABEL } from "../testbed/real-node.js";

const log = prefixedLog("orchest");
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const cliMain = fileURLToPath(new URL("./main.js", import.meta.url));
const NAMESPACE = "orchest";

/** Runs `orchest ...` as a user would, its output on ours. */
function orchest(kubeconfig: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { stdio: ["ignore", "inherit", "inherit"], env: { ...env, KUBECONFIG: kubeconfig } });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`orchest ${args.join(" ")} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const cluster = await Cluster.start({
    // Orchest's Python components (no image of theirs can be pulled here) are placed on the simulated nodes.
    nodes: [
      { name: "simulated-1", runtime: "containerd" },
      { name: "simulated-2", runtime: "containerd" },
    ],
    containerd: false,
    realNodes: [
      { name: "containerd-1", runtime: "containerd" },
      { name: "containerd-2", runtime: "containerd" },
      { name: "containerd-3", runtime: "containerd" },
      { name: "docker-1", runtime: "docker" },
    ],
    // Every pod that asks for a real node may have one: nothing here is meant for simulated nodes by default.
    taintRealNodes: false,
    log: stderrLog,
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping the cluster (the platform's pods go with its nodes) ...");
    await cluster.stop();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));

  try {
    const binaries = await ensureBinaries(stderrLog);
    const bin = dirname(binaries.kubectl!);
    // kubectl and helm of the pinned versions first on PATH.
    const env = { ...process.env, PATH: [...new Set(Object.values(binaries).map((path) => dirname(path))), process.env.PATH].join(":") };
    const image = cluster.state().images!["orchest-gitops"]!;
    log(`installing the operator from ${image} with its Helm chart, then the cluster:`);
    const onRealNode = ["--node-selector", `${REAL_NODE_LABEL}=true`];
    await orchest(cluster.kubeconfig, ["install", "--helm", "--image", image, ...onRealNode, "-f", example("orchestcluster-testbed.yaml"), "--timeout", "10m"], env);
    const registry = cluster.state().registry!.host;
    // The examples name this project's release image, which no test-bed node can pull: the test bed pushed its own.
    const examples = Object.fromEntries(
      ["build.yaml", "project.yaml", "pipelinerun.yaml"].map((name) => {
        const rendered = join(cluster.dir, name);
        writeFileSync(rendered, exampleWithImage(name, image));
        return [name, rendered];
      }),
    );
    process.stdout.write(
      [
        "",
        `Orchest is Ready on the embedded cluster (${seconds(Date.now() - started)} from boot): the operator, api,`,
        "node-agents, buildkit-daemons and registry run as pods on real nodes. In another shell:",
        `  export KUBECONFIG=${cluster.kubeconfig}`,
        `  export PATH=${bin}:$PATH`,
        "  kubectl get nodes -o wide                     # real nodes (containerd, docker) and simulated ones",
        `  kubectl get pods -n ${NAMESPACE} -o wide         # the platform, node by node`,
        "  kubectl get orchest -A                        # every Orchest object, via the 'orchest' category",
        `  kubectl logs -n ${NAMESPACE} deploy/orchest-api    # this project's api`,
        "An example build, project and run (examples/, with this project's image the test bed's own):",
        `  kubectl apply -n ${NAMESPACE} -f ${examples["build.yaml"]}`,
        `  kubectl get ib,il -n ${NAMESPACE} -w            # built on a node, pushed, then Present on every node`,
        `  kubectl apply -n ${NAMESPACE} -f ${examples["project.yaml"]}`,
        `  kubectl wait -n ${NAMESPACE} pod/demo-project-import --for=jsonpath='{.status.phase}'=Succeeded`,
        `  kubectl apply -n ${NAMESPACE} -f ${examples["pipelinerun.yaml"]}`,
        `  kubectl get plr,pods -n ${NAMESPACE} -o wide     # its steps, on nodes that hold the image`,
        `  kubectl logs -n ${NAMESPACE} demo-run-1-report   # what the second step read from the first`,
        `The test bed's own registry (the project's images): ${registry}. Cluster folder and logs: ${cluster.dir}`,
        "Ctrl-C stops everything and removes its files.",
        "",
      ].join("\n"),
    );
    await new Promise(() => undefined);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    await stop(1);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`orchest start: ${error.message}\n`);
  process.exit(1);
});
