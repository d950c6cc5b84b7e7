import test from "ava";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Cluster, eventually } from "../testbed/index.js";
import { ManagedProcess } from "../testbed/process.js";

// The CLI against the real operator (a process), on a private cluster: no stand-in writes the status here.
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL("./main.js", import.meta.url));
const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));

let cluster: Cluster;
let operator: ManagedProcess;
const orchest = (...args: string[]) => run(process.execPath, [cliMain, ...args], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });

test.before(async () => {
  cluster = await Cluster.start({ nodes: [{ name: "node-docker", runtime: "docker" }, { name: "node-containerd", runtime: "containerd" }], containerd: false, registry: false });
  operator = new ManagedProcess("orchest-operator", process.execPath, [operatorMain, "--leader-elect=false", "--http-host=127.0.0.1", "--http-port=0"], join(cluster.dir, "operator.log"), {
    ...process.env,
    KUBECONFIG: cluster.kubeconfig,
  });
});

test.after.always(async () => {
  await operator?.stop();
  await cluster?.stop();
});

test.serial("orchest install, update, status and uninstall drive a real operator to the states they report", async (t) => {
  const installed = await orchest("install", "-f", example, "--timeout", "2m");
  t.regex(installed.stdout + installed.stderr, /Ready/);

  const updated = await orchest("update", "cluster-1", "-n", "orchest", "--version", "v2022.11.1", "--wait", "--timeout", "2m");
  t.regex(updated.stdout + updated.stderr, /v2022\.11\.1/);
  const status = JSON.parse((await orchest("status", "cluster-1", "-n", "orchest", "-o", "json")).stdout);
  t.is(status.status.phase, "Running");
  t.is(status.status.version, "v2022.11.1");
  t.true(status.status.conditions.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"));

  await orchest("uninstall", "cluster-1", "-n", "orchest", "--timeout", "2m");
  const workloads = async () =>
    (await run("kubectl", ["--kubeconfig", cluster.kubeconfig, "get", "deploy,sts,ds", "-n", "orchest", "-l", "orchest.io/cluster=cluster-1", "-o", "name"])).stdout.trim();
  t.is(await eventually("the cluster's workloads to be gone", async () => ((await workloads()) === "" ? "gone" : undefined), 60_000), "gone");
});

test.serial("orchest uninstall --all takes out the operator and the CRDs that install applied", async (t) => {
  await orchest("uninstall", "--all", "--timeout", "2m");
  const operators = await run("kubectl", ["--kubeconfig", cluster.kubeconfig, "get", "deploy", "-A", "-l", "app.kubernetes.io/name=orchest-operator", "-o", "name"]);
  t.is(operators.stdout.trim(), "", "the operator applied by install is gone");
  const crds = JSON.parse((await run("kubectl", ["--kubeconfig", cluster.kubeconfig, "get", "crd", "-o", "json"])).stdout) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
  const left = crds.items.filter((c) => c.metadata.name.endsWith(".orchest.io") && !c.metadata.deletionTimestamp).map((c) => c.metadata.name);
  t.deepEqual(left, [], "every Orchest CRD is deleted (gone, or finalizing in the apiserver)");
});
