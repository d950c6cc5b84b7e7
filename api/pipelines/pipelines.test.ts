import test from "ava";
import type { PipelineRun } from "../../crds/types/index.js";
import { installCrds } from "../../operator/install.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import type { NodePool } from "../scheduling/node-pool.js";
import { addPipelineRunController, PIPELINE_RUN } from "./reconciler.js";
import type { LifecycleTransition } from "../events/index.js";
import { STEP_LABEL } from "./step-pod.js";
import { drive as driveRun, getRun as getRunOf, stepNodes, stepPods as stepPodsOf } from "./test-support.js";

let ns: string;
let pool: NodePool;
let client: KubeClient;
let manager: Manager;
const transitions: Array<[string, LifecycleTransition]> = [];
const image = "orchest-env-pipelines:1";

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "runs");
  client = new KubeClient(tb.kubeConfig);
  // The step image is on the second node only: interactive steps must run there.
  pool = await stepNodes(tb.kubeConfig, client, ns, image);
  manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api-runs-test", logger: silentLogger });
  addPipelineRunController(manager, { namespace: ns, onTransition: async (run, t) => void transitions.push([run.metadata!.name!, t]) });
  await manager.start();
});

test.after.always(async () => {
  await manager?.stop();
  client?.close();
});

const step = (uuid: string, dependsOn: string[] = [], env: Array<{ name: string; value: string }> = []) => ({ uuid, title: uuid, image, command: ["python", `${uuid}.py`], env, dependsOn });
const newRun = (name: string, mode: "Interactive" | "Job", steps: ReturnType<typeof step>[]): KubeObject =>
  ({ ...PIPELINE_RUN, metadata: { name, namespace: ns }, spec: { mode, project: "proj-1", pipeline: { uuid: "pipe-1", path: "pipelines/main.orchest" }, ...(mode === "Job" ? { job: { uuid: "job-1", type: "OneOff" } } : {}), steps } }) as KubeObject;
const getRun = (name: string) => getRunOf(client, ns, name);
const stepPods = (run: PipelineRun) => stepPodsOf(client, run);
const drive = (name: string, failing?: Set<string>) => driveRun(client, ns, name, failing);
const envOf = (pod: KubeObject) => (pod.spec as any).containers[0].env as Array<{ name: string; value: string }>;

test("a 3-step interactive run starts each step when its parents succeeded, with the env contract, where the image is", async (t) => {
  const steps = [
    step("load"),
    step("clean", ["load"], [{ name: "THRESHOLD", value: "0.5" }, { name: "ORCHEST_STEP_UUID", value: "spoofed" }]),
    step("train", ["load", "clean"]),
  ];
  await client.create(newRun("three", "Interactive", steps));
  const { started, pods } = await drive("three");
  t.deepEqual(started, ["load", "clean", "train"]);
  const run = await getRun("three");
  t.is(run.status?.phase, "Succeeded");
  t.is(run.status?.progress, "3/3");
  t.deepEqual(run.status?.steps?.map((s) => [s.uuid, s.phase, s.exitCode]), [["load", "Succeeded", 0], ["clean", "Succeeded", 0], ["train", "Succeeded", 0]]);
  // Each start came after its parents' completion.
  const at = (uuid: string, field: "startTime" | "completionTime") => Date.parse(run.status!.steps!.find((s) => s.uuid === uuid)![field]!);
  t.true(at("clean", "startTime") >= at("load", "completionTime"));
  t.true(at("train", "startTime") >= at("clean", "completionTime"));

  for (const pod of pods) {
    const uuid = pod.metadata.labels![STEP_LABEL]!;
    const env = envOf(pod);
    const internal = ["ORCHEST_PROJECT_UUID", "ORCHEST_PIPELINE_UUID", "ORCHEST_PIPELINE_PATH", "ORCHEST_STEP_UUID"];
    t.deepEqual(env.slice(-4).map((e) => e.name), internal, "internal variables come last");
    t.deepEqual(Object.fromEntries(env.slice(-4).map((e) => [e.name, e.value])), {
      ORCHEST_PROJECT_UUID: "proj-1",
      ORCHEST_PIPELINE_UUID: "pipe-1",
      ORCHEST_PIPELINE_PATH: "pipelines/main.orchest",
      ORCHEST_STEP_UUID: uuid,
    });
    t.false(env.some((e) => e.name === "ORCHEST_PROJECT_DIR"), "only Jupyter kernels see the project dir");
    t.is((pod.spec as any).nodeName, pool.nodes[1], "interactive: on the node that holds the image");
  }
  const clean = pods.find((p) => p.metadata.labels![STEP_LABEL] === "clean")!;
  t.deepEqual(envOf(clean)[0], { name: "THRESHOLD", value: "0.5" });
  t.is(envOf(clean).filter((e) => e.name === "ORCHEST_STEP_UUID").length, 1);
  t.deepEqual(transitions.filter(([n]) => n === "three").map(([, tr]) => tr), ["created", "started", "succeeded"]);
});

test("an interactive step whose image is on no node runs unconstrained, with a Warning Event that says why", async (t) => {
  await client.create({ ...newRun("nowhere", "Interactive", [step("only")]), spec: { ...(newRun("x", "Interactive", []).spec as object), steps: [{ uuid: "only", image: "orchest-env-unbuilt:1" }] } } as KubeObject);
  await drive("nowhere");
  const events = (await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items;
  const warning = events.find((e) => e.reason === "ImageNotOnAnyNode" && (e.regarding as { name: string }).name === "nowhere");
  t.regex(String(warning?.note), /no eligible Ready node holds orchest-env-unbuilt:1/);
  t.is((await getRun("nowhere")).status?.phase, "Succeeded");
});

test("a failed step fails the job run and skips what depends on it", async (t) => {
  await client.create(newRun("failing", "Job", [step("a"), step("b", ["a"]), step("c", ["b"]), step("d", ["a"])]));
  const { started } = await drive("failing", new Set(["b"]));
  const run = await getRun("failing");
  t.is(run.status?.phase, "Failed");
  t.is(run.status?.reason, "StepFailed");
  t.regex(run.status!.message!, /b \(Error, exit code 1\)/);
  t.deepEqual(Object.fromEntries(run.status!.steps!.map((s) => [s.uuid, s.phase])), { a: "Succeeded", b: "Failed", c: "Skipped", d: "Succeeded" });
  t.false(started.includes("c"));
});

test("a cycle is refused: the run fails with InvalidPipeline and starts nothing", async (t) => {
  await client.create(newRun("cycle", "Job", [step("x", ["y"]), step("y", ["x"])]));
  await waitFor("the run to fail", async () => (await getRun("cycle")).status?.phase === "Failed", 15_000, 100);
  const run = await getRun("cycle");
  t.is(run.status?.reason, "InvalidPipeline");
  t.regex(run.status!.message!, /cycle: (x -> y -> x|y -> x -> y)/);
  t.is((await stepPods(run)).length, 0);
});

test("cancelling a run deletes its running step and cancels the rest", async (t) => {
  await client.create(newRun("cancel", "Job", [step("first"), step("second", ["first"])]));
  await waitFor("the first step to run", async () => (await getRun("cancel")).status?.steps?.[0]?.phase === "Running", 15_000, 100);
  await client.patch({ ...PIPELINE_RUN, namespace: ns, name: "cancel" }, { spec: { cancel: true } }, "merge");
  await waitFor("the run to be Cancelled", async () => (await getRun("cancel")).status?.phase === "Cancelled", 15_000, 100);
  const run = await getRun("cancel");
  t.deepEqual(run.status!.steps!.map((s) => s.phase), ["Cancelled", "Cancelled"]);
  await waitFor("the step pod to go", async () => (await stepPods(run)).length === 0, 15_000, 200);
});
