#!/usr/bin/env node
// `npm start`: the main job on the embedded test bed. Boots a cluster with mixed runtimes (one docker node, two
// containerd nodes), installs the CRDs, runs the operator, the api and a node-agent per containerd node, applies
// examples/orchestcluster.yaml, shows the rollout until the cluster is Ready, prints what to run next, and keeps
// everything up until Ctrl-C.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAgentProcess } from "../agent/testing/agent-process.js";
import { installCrds } from "../operator/install.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster } from "../testbed/cluster.js";
import { ManagedProcess } from "../testbed/process.js";
import { prefixedLog, seconds, stderrLog } from "../testbed/progress.js";

const log = prefixedLog("orchest");
const exampleCluster = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));
const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));
const apiMain = fileURLToPath(new URL("../api/main.js", import.meta.url));
const NAMESPACE = "orchest";

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
  const processes: ManagedProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping the operator, the api, the agents and the cluster ...");
    await Promise.all(processes.map((p) => p.stop()));
    await cluster.stop();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));
  /** Fails with the log tail of a process of ours that died. */
  const checkAlive = () => {
    if (stopping) return;
    const dead = processes.find((p) => !p.running);
    if (dead) throw dead.failure("exited");
  };

  try {
    const bin = dirname((await ensureBinaries(stderrLog)).kubectl!);
    const kubectl = (...args: string[]) => execFileSync(join(bin, "kubectl"), ["--kubeconfig", cluster.kubeconfig, ...args], { encoding: "utf8" });
    log(`installed CRDs: ${installCrds(cluster.kubeconfig, join(bin, "kubectl")).join(", ")}`);
    kubectl("create", "namespace", NAMESPACE);

    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    const node = (name: string, script: string, args: string[]) => new ManagedProcess(name, process.execPath, [script, ...args], join(cluster.dir, `${name}.log`), env);
    processes.push(node("orchest-operator", operatorMain, ["--leader-elect=false", "--http-host=127.0.0.1", "--http-port=0"]));
    processes.push(node("orchest-api", apiMain, [`--namespace=${NAMESPACE}`, "--leader-elect=false", "--listen=127.0.0.1:0"]));
    const state = cluster.state();
    for (const worker of state.nodes.filter((n) => n.containerd)) {
      processes.push(
        startAgentProcess({
          kubeconfig: cluster.kubeconfig,
          node: worker.name,
          namespace: NAMESPACE,
          socket: worker.containerd!.socket,
          hostsDir: worker.containerd!.hostsDir,
          registryHost: state.registry!.host,
          extraArgs: ["--verify-interval=60", "--wave-timeout=60"],
          logDir: cluster.dir,
        }),
      );
    }
    log(`running ${processes.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}; logs in ${cluster.dir}`);

    kubectl("apply", "-n", NAMESPACE, "-f", exampleCluster);
    log("applied examples/orchestcluster.yaml; following the rollout:");
    let last = "";
    for (;;) {
      checkAlive();
      const status = JSON.parse(kubectl("get", "orchestclusters", "-n", NAMESPACE, "-o", "jsonpath={.items[0].status}") || "{}") as ClusterStatus;
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
        `  kubectl get orchestclusters -n ${NAMESPACE} -o wide`,
        `  kubectl get deploy,sts,ds -n ${NAMESPACE}`,
        "  kubectl get nodes -o custom-columns=NAME:.metadata.name,RUNTIME:.status.nodeInfo.containerRuntimeVersion",
        "  kubectl explain orchestcluster.spec.orchest",
        `  kubectl patch oc cluster-1 -n ${NAMESPACE} --type merge -p '{"spec":{"orchest":{"version":"v2022.11.1"}}}'   # a rolling update`,
        `  kubectl get imagelocations -n ${NAMESPACE}  # images on nodes, kept by the node-agents`,
        `Logs of the operator, the api and the agents: ${cluster.dir}/*.log`,
        "Ctrl-C stops everything and removes its files.",
        "",
      ].join("\n"),
    );
    for (;;) {
      checkAlive();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    await stop(1);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`orchest start: ${error.message}\n`);
  process.exit(1);
});
