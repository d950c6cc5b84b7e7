#!/usr/bin/env node
// `npm start`: the main job on the embedded test bed. Boots a cluster of real nodes (three containerd, one docker)
// and two simulated ones, pushes this project's images to its registry, installs the operator with its Helm chart,
// and lets the operator deploy the platform (examples/orchestcluster-testbed.yaml): this project's api, node-agent,
// buildkit-daemon and registry run as pods on the real nodes; the host runs no platform process. Prints what to
// try next and keeps everything up until Ctrl-C.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { prefixedLog, seconds, stderrLog } from "../testbed/progress.js";
import { onStopSignal } from "../testbed/signals.js";
import { exampleForTestbed } from "./examples.js";
import { DEFAULT_NODE_NAMES, installPlatform, PLATFORM_NAMESPACE as NAMESPACE, startPlatformCluster } from "./platform.js";

const log = prefixedLog("orchest");

async function main(): Promise<void> {
  const started = Date.now();
  const cluster = await startPlatformCluster(DEFAULT_NODE_NAMES, stderrLog);
  let stopping: Promise<void> | undefined;
  const stop = (code: number) =>
    (stopping ??= (async () => {
      log("stopping the cluster (the platform's pods go with its nodes) ...");
      await cluster.stop();
      process.exit(code);
    })());
  onStopSignal(log, () => void stop(0));

  try {
    const image = cluster.state().images!["orchest-gitops"]!;
    log(`installing the operator from ${image} with its Helm chart, then the cluster:`);
    const { binaries } = await installPlatform(cluster, true);
    const bin = dirname(binaries.kubectl!);
    const registry = cluster.state().registry!.host;
    // The examples name this project's release image, which no test-bed node can pull: the test bed pushed its own.
    const examples = Object.fromEntries(
      ["build.yaml", "project.yaml", "pipelinerun.yaml", "session.yaml"].map((name) => {
        const rendered = join(cluster.dir, name);
        writeFileSync(rendered, exampleForTestbed(name, image));
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
        "An example build, project, run and session (examples/, with this project's image the test bed's own):",
        `  kubectl apply -n ${NAMESPACE} -f ${examples["build.yaml"]}`,
        `  kubectl get ib,il -n ${NAMESPACE} -w            # built on a node, pushed, then Present on every node`,
        `  kubectl apply -n ${NAMESPACE} -f ${examples["project.yaml"]}`,
        `  kubectl wait -n ${NAMESPACE} pod/demo-project-import --for=jsonpath='{.status.phase}'=Succeeded`,
        `  kubectl apply -n ${NAMESPACE} -f ${examples["pipelinerun.yaml"]}`,
        `  kubectl get plr,pods -n ${NAMESPACE} -o wide     # its steps, on nodes that hold the image`,
        `  kubectl logs -n ${NAMESPACE} demo-run-1-report   # what the second step read from the first`,
        `  kubectl apply -n ${NAMESPACE} -f ${examples["session.yaml"]}`,
        `  kubectl get ses -n ${NAMESPACE} -o wide          # a Jupyter server on the project, Running with its URL`,
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
