#!/usr/bin/env node
// `npm start`: the main job on the embedded test bed. Boots a cluster with mixed runtimes (one docker node, two
// containerd nodes), installs the CRDs, runs the operator, applies examples/orchestcluster.yaml, shows the
// rollout until the cluster is Ready, prints what to run next, and keeps everything up until Ctrl-C.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installCrds } from "../operator/install.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster } from "../testbed/cluster.js";
import { prefixedLog, seconds, stderrLog } from "../testbed/progress.js";

const log = prefixedLog("orchest");

const exampleCluster = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));
const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));

interface ClusterStatus {
  phase?: string;
  conditions?: Array<{ type: string; status: string; message?: string }>;
}

async function main(): Promise<void> {
  const started = Date.now();
  const cluster = await Cluster.start({
    nodes: [
      { name: "worker-docker-1", runtime: "docker" },
      { name: "worker-containerd-1", runtime: "containerd" },
      { name: "worker-containerd-2", runtime: "containerd" },
    ],
    log: stderrLog,
  });
  let operator: ChildProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping the operator and the cluster ...");
    operator?.kill("SIGTERM");
    await cluster.stop();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));

  try {
    const bin = dirname((await ensureBinaries(stderrLog)).kubectl!);
    const kubectl = (...args: string[]) => execFileSync(join(bin, "kubectl"), ["--kubeconfig", cluster.kubeconfig, ...args], { encoding: "utf8" });
    log(`installed CRDs: ${installCrds(cluster.kubeconfig, join(bin, "kubectl")).join(", ")}`);

    const operatorLog = join(cluster.dir, "orchest-operator.log");
    const logFd = openSync(operatorLog, "a");
    operator = spawn(process.execPath, [operatorMain, "--leader-elect=false", "--http-host=127.0.0.1", "--http-port=0"], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      stdio: ["ignore", logFd, logFd],
    });
    operator.once("exit", (code) => {
      if (!stopping) {
        log(`the operator exited with ${code}; its log: ${operatorLog}`);
        void stop(1);
      }
    });
    log(`operator running (pid ${operator.pid}, log ${operatorLog})`);

    kubectl("create", "namespace", "orchest");
    kubectl("apply", "-n", "orchest", "-f", exampleCluster);
    log("applied examples/orchestcluster.yaml; following the rollout:");
    let last = "";
    for (;;) {
      const status = JSON.parse(kubectl("get", "orchestclusters", "-n", "orchest", "-o", "jsonpath={.items[0].status}") || "{}") as ClusterStatus;
      const ready = status.conditions?.find((c) => c.type === "Ready");
      const line = `  phase ${status.phase ?? "Pending"}: ${ready?.message ?? "waiting for the operator"}`;
      if (line !== last) log(line);
      last = line;
      if (ready?.status === "True") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    process.stdout.write(
      [
        "",
        `Orchest is Ready on the embedded cluster (${seconds(Date.now() - started)} from boot). In another shell:`,
        `  export KUBECONFIG=${cluster.kubeconfig}`,
        `  export PATH=${bin}:$PATH`,
        "  kubectl get orchest -A                      # every Orchest object, via the 'orchest' category",
        "  kubectl get orchestclusters -n orchest -o wide",
        "  kubectl get deploy,sts,ds -n orchest",
        "  kubectl get nodes -o custom-columns=NAME:.metadata.name,RUNTIME:.status.nodeInfo.containerRuntimeVersion",
        "  kubectl explain orchestcluster.spec.orchest",
        "  kubectl patch oc cluster-1 -n orchest --type merge -p '{\"spec\":{\"orchest\":{\"version\":\"v2022.11.1\"}}}'   # a rolling update",
        `Operator log: ${operatorLog}`,
        "Ctrl-C stops the operator and the cluster and removes their files.",
        "",
      ].join("\n"),
    );
    await new Promise(() => {});
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    await stop(1);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`orchest start: ${error.message}\n`);
  process.exit(1);
});
