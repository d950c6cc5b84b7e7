// Real nodes leave nothing behind: not when the test bed stops, and not when it is killed (the next one cleans up).
// Each test starts a private cluster: the shared one must not be broken.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import anyTest, { type TestFn } from "ava";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cluster } from "./cluster.js";
import { containerCgroup } from "./node-cgroups.js";
import { containerIdsIn } from "./real-node.js";
import { run } from "./command.js";
import { eventually } from "./eventually.js";
import { realNodesHere, waitForPod } from "./pods.js";
import type { TestbedState } from "./state.js";

const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;
const cli = fileURLToPath(new URL("./cli.js", import.meta.url));

/**
 * What of a test bed with real nodes can be seen from the host, each with its identity (inode, ifindex, PID), so
 * that a later test bed that reuses the same slot and names is not mistaken for leftovers.
 */
async function traces(state: TestbedState): Promise<Set<string>> {
  const slot = Number(/^10\.213\.(\d+)\./.exec(state.registry!.host)![1]) / 16;
  const found = new Set<string>();
  // Namespace and cgroup names carry the owner's PID; a link is told apart by its MAC address; a process by its start time.
  for (const name of (await run("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0]!)) {
    if (name.startsWith(`orchest-testbed-${slot}-`)) found.add(`netns ${name}`);
  }
  for (const line of (await run("ip", ["-o", "link", "show"])).split("\n")) {
    const [, name] = /^\d+: ([^:@]+)/.exec(line) ?? [];
    if (name === `otb${slot}` || name?.startsWith(`otb${slot}v`)) found.add(`link ${name} ${/link\/ether (\S+)/.exec(line)?.[1]}`);
  }
  for (const node of state.nodes.filter((n) => n.real)) {
    for (const hierarchy of readdirSync("/sys/fs/cgroup")) {
      const dir = join("/sys/fs/cgroup", hierarchy, node.cgroup!);
      if (existsSync(dir)) found.add(`cgroup ${dir}`);
    }
    for (const pid of pidsUnder(join("/sys/fs/cgroup/pids", node.cgroup!))) found.add(`process ${pid} started ${started(pid)} in ${node.name}'s cgroup`);
  }
  // A containerd node's containers and sandboxes are not in its cgroup (see cleanupContainerCgroups): by their ids.
  for (const id of containerIdsIn(state.dir)) {
    for (const hierarchy of readdirSync("/sys/fs/cgroup")) {
      const dir = join("/sys/fs/cgroup", hierarchy, containerCgroup(id));
      if (existsSync(dir)) found.add(`cgroup ${dir}`);
    }
    for (const pid of pidsUnder(join("/sys/fs/cgroup/pids", containerCgroup(id)))) found.add(`container ${pid} started ${started(pid)} in ${containerCgroup(id)}`);
  }
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) if (line.includes(state.dir)) found.add(`mount ${line}`);
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(state.dir)) found.add(`process ${pid} started ${started(pid)} of ${state.dir}`);
    } catch {
      // Exited meanwhile.
    }
  }
  if (existsSync(state.dir)) found.add(`folder ${state.dir}`);
  return found;
}

/** Those of `before` that still exist. */
async function stillThere(before: Set<string>, state: TestbedState): Promise<string[]> {
  const now = await traces(state);
  return [...before].filter((trace) => now.has(trace) || (/^(process|container) /.test(trace) && processAlive(trace)) || (trace.startsWith("cgroup ") && existsSync(trace.slice("cgroup ".length))));
}

/** A process's start time (/proc/PID/stat field 22): a PID reused by another process has another. */
function started(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The same process, still running: a zombie (exited, waiting for its parent to reap it) runs no more. */
function processAlive(trace: string): boolean {
  const [, pid, , start] = trace.split(" ");
  if (started(pid!) !== start) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}

/** Processes at or below a cgroup folder. */
function pidsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [...own, ...children.flatMap((c) => pidsUnder(join(dir, c.name)))];
}

/**
 * Keeps a container running on every real node, so that shims and containers exist when the daemons go, and leaves
 * one that has finished (its cgroup stays until the kubelet collects the container).
 */
async function occupy(kc: KubeConfig, state: TestbedState): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const node of state.nodes.filter((n) => n.real)) {
    const pod = (name: string, command: string[], restartPolicy: string) =>
      core.createNamespacedPod({ namespace: "default", body: { metadata: { name: `${name}-${node.name}` }, spec: { nodeName: node.name, restartPolicy, containers: [{ name: "main", image: state.images!.busybox!, command }] } } });
    await pod("finished", ["true"], "Never");
    await pod("occupant", ["sleep", "3600"], "Always");
    await waitForPod(kc, "default", `finished-${node.name}`, "Succeeded");
    await waitForPod(kc, "default", `occupant-${node.name}`, "Running");
  }
}

test("a stopped test bed leaves no process, mount, namespace, link, route, cgroup or folder", async (t) => {
  const cluster = await Cluster.start({ nodes: [], realNodes: [{ name: "teardown-containerd", runtime: "containerd" }, { name: "teardown-docker", runtime: "docker" }] });
  const state = cluster.state();
  let during = new Set<string>();
  try {
    await occupy(cluster.kubeConfig(), state);
    during = await traces(state);
  } finally {
    await cluster.stop();
  }
  const kinds = new Set([...during].map((trace) => trace.split(" ")[0]));
  t.deepEqual([...kinds].sort(), ["cgroup", "container", "folder", "link", "netns", "process"], "the cluster was there");
  t.deepEqual(await stillThere(during, state), []);
  t.false((await run("ip", ["route", "show"])).includes(`blackhole ${/^(10\.213\.\d+)\./.exec(state.registry!.host)![1]}.0/20`), "its blackhole route is gone");
});

test("after a test bed is killed with SIGKILL, the next one removes what it left", async (t) => {
  const child = spawn(process.execPath, [cli, "up", "--nodes", "containerd,docker"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const stateFile = await eventually("the test bed to be killed to be up", () => /export ORCHEST_TESTBED=(\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(err)) : undefined), 240_000);
  const state: TestbedState = JSON.parse(readFileSync(stateFile, "utf8"));
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  await occupy(kc, state);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  // The daemons die with it (pdeathsig); containers and their shims do not, nor the namespaces and the folder.
  const left = await eventually("the daemons to die", async () => {
    const now = await traces(state);
    return [...now].some((trace) => / of \//.test(trace)) ? undefined : now;
  });
  for (const node of state.nodes.filter((n) => n.real)) {
    t.true([...left].some((trace) => trace.includes(`in ${node.name}'s cgroup`)), `containers and shims on ${node.name} outlived it`);
  }
  t.true([...left].some((trace) => trace.startsWith("netns ")) && left.has(`folder ${state.dir}`), "and its namespaces and folder");
  t.true([...left].some((trace) => trace.startsWith("container ")), "and the containerd node's containers");

  const next = await Cluster.start({ nodes: [], realNodes: [{ name: "next-containerd", runtime: "containerd" }] });
  try {
    t.deepEqual(await stillThere(left, state), [], "the next test bed removed all of it");
  } finally {
    await next.stop();
  }
});
