import test from "ava";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import YAML from "yaml";
import { CHART_DIR, CRD_DIR } from "../cli/paths.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { eventually } from "../testbed/eventually.js";
import { Cluster, startControlPlane, useTestbed } from "../testbed/index.js";
import { freePort } from "../testbed/ports.js";
import { ManagedProcess } from "../testbed/process.js";

// `helm test` runs templates/tests/test-readyz.yaml: a pod of the operator image that GETs /readyz through the
// metrics Service. The first test runs that pod's command as a process against a real operator process; the
// second runs `helm test` itself on a real node.
const run = promisify(execFile);
const operatorMain = fileURLToPath(new URL("../operator/main.js", import.meta.url));
const helmBinary = async () => (await ensureBinaries(() => {})).helm ?? "helm";

async function hookContainer(): Promise<{ command: string[]; env: Array<{ name: string; value: string }> }> {
  const { stdout } = await run(await helmBinary(), ["template", "orchest-operator", CHART_DIR, "--show-only", "templates/tests/test-readyz.yaml"]);
  return YAML.parse(stdout).spec.containers[0];
}

/** The hook's command with READYZ_URL pointed at `url`; its exit code. */
async function runHook(url: string): Promise<number> {
  const { command } = await hookContainer();
  const [program, ...args] = command;
  if (program !== "node") throw new Error(`the hook runs ${program}, not node: update this test`);
  return run(process.execPath, args, { env: { ...process.env, READYZ_URL: url } }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? 1,
  );
}

test("the helm test hook passes while the operator answers /readyz, and fails once it is gone", async (t) => {
  await useTestbed();
  // A control plane of its own: the operator reconciles every OrchestCluster it sees, other test files' included.
  const cluster: Cluster = await startControlPlane();
  let operator: ManagedProcess | undefined;
  try {
    await run("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "--server-side", "-f", CRD_DIR]);
    const port = await freePort();
    const args = [operatorMain, "--leader-elect=false", "--http-host=127.0.0.1", `--http-port=${port}`];
    operator = new ManagedProcess("orchest-operator", process.execPath, args, join(cluster.dir, "operator.log"), { ...process.env, KUBECONFIG: cluster.kubeconfig });
    const url = `http://127.0.0.1:${port}/readyz`;
    await eventually("the hook to pass against the running operator", async () => (await runHook(url)) === 0, 90_000, 500);
    await operator.stop();
    t.not(await runHook(url), 0, "the hook fails when nothing answers");
    const { env } = await hookContainer();
    // In a pod the kubelet expands the metrics Service's variables.
    t.deepEqual(env, [{ name: "READYZ_URL", value: "http://$(ORCHEST_OPERATOR_METRICS_SERVICE_HOST):$(ORCHEST_OPERATOR_METRICS_SERVICE_PORT)/readyz" }]);
  } finally {
    await operator?.stop();
    await cluster.stop();
  }
});

// `helm test` needs the operator's pod to run for real: a private cluster (the operator reconciles cluster-wide)
// with one real containerd node, whose registry the test bed fills with the project's images.
test("helm install, then helm test, passes with the operator running on a real node", async (t) => {
  await useTestbed();
  const cluster = await Cluster.start({ realNodes: [{ name: "helm-test", runtime: "containerd" }] });
  try {
    const image = cluster.state().images?.["orchest-gitops"] ?? "";
    const [, registry, repository, tag] = /^([^/]+)\/(.+):([^:@/]+)(?:@sha256:[a-f0-9]+)?$/.exec(image) ?? [];
    t.truthy(tag, `the project's image is in the cluster's registry (${image})`);
    const helm = async (...args: string[]) => (await run(await helmBinary(), [...args, "--kubeconfig", cluster.kubeconfig, "--namespace", "orchest-system"], { maxBuffer: 16 << 20 })).stdout;
    await helm("install", "orchest-operator", CHART_DIR, "--create-namespace", "--wait", "--timeout", "3m", "--set", `image.registry=${registry}`, "--set", `image.repository=${repository}`, "--set", `image.tag=${tag}`);
    t.regex(await helm("test", "orchest-operator", "--logs", "--timeout", "3m"), /TEST SUITE:\s+orchest-operator-test-readyz[\s\S]*Phase:\s+Succeeded[\s\S]*\/readyz: 200/);
  } finally {
    await cluster.stop();
  }
});
