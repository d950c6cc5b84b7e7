#!/usr/bin/env node
// `npm start`: the main job on the embedded test bed. Boots a cluster with mixed runtimes (one docker node, two
// containerd nodes), installs the CRDs from crds/, prints what to run next, and runs until Ctrl-C.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster } from "../testbed/cluster.js";
import { seconds, stderrLog as log } from "../testbed/progress.js";

const crdDir = fileURLToPath(new URL("../../crds/", import.meta.url));

async function main(): Promise<void> {
  const started = Date.now();
  const cluster = await Cluster.start({
    nodes: [
      { name: "worker-docker-1", runtime: "docker" },
      { name: "worker-containerd-1", runtime: "containerd" },
      { name: "worker-containerd-2", runtime: "containerd" },
    ],
    log,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log("stopping the cluster ...");
    await cluster.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop());

  const bin = dirname((await ensureBinaries(log)).kubectl!);
  const kubectl = (...args: string[]) => execFileSync(join(bin, "kubectl"), ["--kubeconfig", cluster.kubeconfig, ...args], { encoding: "utf8" });
  const crds = readdirSync(crdDir).filter((file) => file.endsWith(".yaml")).sort();
  log(`installing ${crds.length} CRDs from crds/ (server-side apply)`);
  kubectl("apply", "--server-side", "--field-manager=orchest-start", ...crds.flatMap((file) => ["-f", join(crdDir, file)]));
  kubectl("wait", "--for=condition=Established", "--timeout=60s", ...crds.map((file) => `crd/${file.replace(/\.yaml$/, "")}`));

  process.stdout.write(
    [
      "",
      `orchest-gitops test bed is up (${seconds(Date.now() - started)}): nodes with mixed runtimes, CRDs installed.`,
      "In another shell:",
      `  export KUBECONFIG=${cluster.kubeconfig}`,
      `  export PATH=${bin}:$PATH`,
      "  kubectl get nodes -o custom-columns=NAME:.metadata.name,RUNTIME:.status.nodeInfo.containerRuntimeVersion",
      "  kubectl get crd -l app.kubernetes.io/part-of=orchest   # or: kubectl api-resources --categories=orchest",
      "  kubectl explain orchestcluster.spec.orchest",
      "Ctrl-C stops the cluster and removes its files.",
      "",
    ].join("\n"),
  );
  await new Promise(() => {});
}

main().catch((error: Error) => {
  process.stderr.write(`orchest start: ${error.message}\n`);
  process.exit(1);
});
