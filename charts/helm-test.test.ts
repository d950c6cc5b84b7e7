import test from "ava";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import YAML from "yaml";
import { CHART_DIR, CRD_DIR } from "../cli/paths.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { eventually } from "../testbed/eventually.js";
import { startControlPlane, useTestbed, type Cluster } from "../testbed/index.js";
import { freePort } from "../testbed/ports.js";
import { ManagedProcess } from "../testbed/process.js";

// `helm test` runs templates/tests/test-readyz.yaml: a pod of the operator image that GETs /readyz through the
// metrics Service. The first test runs that pod's command as a process against a real operator process; the
// second runs `helm test` itself where the test bed has a node that runs containers and the operator's image.
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
    t.deepEqual(env, [{ name: "READYZ_URL", value: "http://orchest-operator-metrics.default.svc:8080/readyz" }]);
  } finally {
    await operator?.stop();
    await cluster.stop();
  }
});

// `helm test` needs the operator's pod to run for real: a node that runs containers, and the operator's image
// where that node can pull it (ORCHEST_TEST_OPERATOR_IMAGE, registry/repository:tag). The simulated nodes run none.
const operatorImage = process.env.ORCHEST_TEST_OPERATOR_IMAGE;
const withImage = operatorImage ? test : test.skip;
withImage("helm install, then helm test, passes on a node that runs the operator's image", async (t) => {
  const tb = await useTestbed();
  const [, registry, repository, tag] = /^([^/]+)\/(.+):([^:/]+)$/.exec(operatorImage!) ?? [];
  const namespace = `helm-test-${Date.now().toString(36)}`;
  const helm = async (...args: string[]) => (await run(await helmBinary(), [...args, "--kubeconfig", tb.kubeconfigPath, "--namespace", namespace])).stdout;
  await helm("install", "orchest-operator", CHART_DIR, "--create-namespace", "--wait", "--timeout", "5m", "--set", `image.registry=${registry}`, "--set", `image.repository=${repository}`, "--set", `image.tag=${tag}`);
  try {
    t.regex(await helm("test", "orchest-operator", "--timeout", "2m"), /orchest-operator-test-readyz[\s\S]*Phase:\s+Succeeded/);
  } finally {
    await helm("uninstall", "orchest-operator", "--wait");
    await run("kubectl", ["--kubeconfig", tb.kubeconfigPath, "delete", "namespace", namespace, "--wait=false"]);
  }
});
