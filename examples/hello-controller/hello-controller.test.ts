import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../../cli/paths.js";
import { eventually, kubectl } from "../../cli/testing.js";
import { createTestNamespace, useTestbed, type Testbed } from "../../testbed/index.js";
import { ManagedProcess } from "../../testbed/process.js";

// Two replicas of examples/hello-controller, real processes on the test bed: one leads, both would reconcile.
const SOURCE = join(PACKAGE_ROOT, "examples", "hello-controller");
const main = fileURLToPath(new URL("./main.js", import.meta.url));
let tb: Testbed;
let namespace: string;
const replicas: ManagedProcess[] = [];

const json = async (...args: string[]) => JSON.parse(await kubectl([...args, "-n", namespace, "-o", "json"]));
const greeting = (name: string, spec: Record<string, string>) => JSON.stringify({ apiVersion: "hello.example.com/v1", kind: "Greeting", metadata: { name, namespace }, spec });
const configMapText = async (name: string) => (await json("get", "configmap", `greeting-${name}`)).data?.greeting;

test.before(async () => {
  tb = await useTestbed();
  namespace = await createTestNamespace(tb.kubeConfig, "hello");
  await kubectl(["apply", "-f", join(SOURCE, "greeting.crd.yaml")]);
  await kubectl(["wait", "--for=condition=Established", "crd/greetings.hello.example.com"]);
  const env = { ...process.env, KUBECONFIG: tb.kubeconfigPath, POD_NAMESPACE: namespace, PROBE_PORT: "0" };
  for (const i of [0, 1]) replicas.push(new ManagedProcess(`hello-controller-${i}`, process.execPath, [main], join(tb.kubeconfigPath, "..", `hello-controller-${namespace}-${i}.log`), env));
});

test.after.always(async () => {
  for (const replica of replicas) await replica.stop();
  await kubectl(["delete", "--ignore-not-found", "--wait=false", "-f", join(SOURCE, "greeting.crd.yaml")]);
});

test("is under 150 lines", (t) => {
  t.true(readFileSync(join(SOURCE, "main.ts"), "utf8").split("\n").length < 150);
});

test("applies a Greeting's ConfigMap, reports Ready, follows spec changes, reverts drift, and fails over to the other replica", async (t) => {
  await kubectl(["apply", "-f", "-"], greeting("world", { name: "world" }));
  await kubectl(["wait", "--for=condition=Ready", "greeting/world", "-n", namespace, "--timeout=60s"]);
  t.is(await configMapText("world"), "Hello, world!");
  const status = (await json("get", "greeting", "world")).status;
  t.is(status.observedGeneration, 1);
  t.like(status.conditions[0], { type: "Ready", status: "True", reason: "Applied", observedGeneration: 1 });

  await kubectl(["patch", "greeting", "world", "-n", namespace, "--type=merge", "-p", JSON.stringify({ spec: { greeting: "Hi" } })]);
  await eventually("the ConfigMap to follow the spec", async () => (await configMapText("world")) === "Hi, world!");
  await eventually("observedGeneration 2", async () => (await json("get", "greeting", "world")).status.observedGeneration === 2);

  await kubectl(["patch", "configmap", "greeting-world", "-n", namespace, "--type=merge", "-p", JSON.stringify({ data: { greeting: "edited by hand" } })]);
  await eventually("the drift to be reverted", async () => (await configMapText("world")) === "Hi, world!");

  const holder = async () => (await json("get", "lease", "hello-controller")).spec.holderIdentity as string;
  const identity = await holder();
  const leaderIndex = replicas.findIndex((r) => identity.endsWith(`_${r.pid}`));
  t.true(leaderIndex >= 0, `one replica holds the Lease (${identity})`);
  await replicas[leaderIndex]!.stop();
  await kubectl(["apply", "-f", "-"], greeting("again", { name: "again", greeting: "Welcome back" }));
  await kubectl(["wait", "--for=condition=Ready", "greeting/again", "-n", namespace, "--timeout=90s"]);
  t.is(await configMapText("again"), "Welcome back, again!");
  t.true((await holder()).endsWith(`_${replicas[1 - leaderIndex]!.pid}`), "the other replica took the Lease over");
});
