import test from "ava";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Cluster } from "../testbed/index.js";
import { ManagedProcess } from "../testbed/process.js";

// orchest install --helm and uninstall --all --helm on a private cluster of their own, the operator a real process.
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL("./main.js", import.meta.url));
const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));

let cluster: Cluster;
let operator: ManagedProcess;
const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfig });
const orchest = (...args: string[]) => run(process.execPath, [cliMain, ...args], { env: env() });

test.before(async () => {
  cluster = await Cluster.start({ nodes: [{ name: "node-containerd", runtime: "containerd" }], containerd: false, registry: false });
  operator = new ManagedProcess("orchest-operator", process.execPath, [operatorMain, "--leader-elect=false", "--http-host=127.0.0.1", "--http-port=0"], join(cluster.dir, "operator.log"), env());
});

test.after.always(async () => {
  await operator?.stop();
  await cluster?.stop();
});

test("orchest install --helm puts the operator in through its chart, and uninstall --all --helm takes it out", async (t) => {
  const installed = await orchest("install", "--helm", "-f", example, "--timeout", "2m");
  t.regex(installed.stdout + installed.stderr, /Ready/);
  const releases = await run("helm", ["list", "-A", "-o", "json"], { env: env() });
  t.true((JSON.parse(releases.stdout) as Array<{ name: string; status: string }>).some((r) => r.name === "orchest-operator" && r.status === "deployed"));

  await orchest("uninstall", "--all", "--helm", "--timeout", "2m");
  const crds = JSON.parse((await run("kubectl", ["--kubeconfig", cluster.kubeconfig, "get", "crd", "-o", "json"])).stdout) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
  const left = crds.items.filter((c) => c.metadata.name.endsWith(".orchest.io") && !c.metadata.deletionTimestamp).map((c) => c.metadata.name);
  t.deepEqual(left, [], "every Orchest CRD is deleted (gone, or finalizing in the apiserver)");
  t.deepEqual(JSON.parse((await run("helm", ["list", "-A", "-o", "json"], { env: env() })).stdout), [], "the release is gone");
});
