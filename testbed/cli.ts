#!/usr/bin/env node
import { spawn, spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { cacheRoot, ensureBinaries } from "./binaries.js";
import { Cluster, type ClusterOptions, type RealNodeSpec } from "./cluster.js";
import type { SimulatedNode } from "./kwok.js";
import { ensureDebianPackages } from "./packages.js";
import { seconds, stderrLog as log } from "./progress.js";
import { onStopSignal } from "./signals.js";
import { versions } from "./versions.js";

/** Nodes of `testbed run` and `up` without --nodes: simulated ones for the tests written for them, and real ones. */
const DEFAULT_NODES = "kwok,kwok,kwok,containerd,containerd,containerd,docker";

const usage = `usage: testbed <command>
  prepare                 install missing Debian packages and build the test bed's binaries (cached)
  up [--nodes K,K,...]    start a cluster and keep it until Ctrl-C; K per node: kwok, kwok:docker (simulated),
                          containerd, docker (real); default ${DEFAULT_NODES}
  run [--nodes ...] -- CMD [ARGS...]
                          start a cluster, run CMD with ORCHEST_TESTBED and KUBECONFIG set, stop the cluster
Environment: ORCHEST_TESTBED_BIN (prebuilt binaries), ORCHEST_TEST_KUBECONFIG (use an existing cluster; run only),
ORCHEST_TESTBED_KEEP=1 (keep the cluster folder and logs), XDG_CACHE_HOME (cache location).`;

async function prepare(): Promise<void> {
  const started = Date.now();
  await ensureDebianPackages(versions.debian, log);
  const binaries = await ensureBinaries(log);
  const size = spawnSync("du", ["-sh", cacheRoot()], { encoding: "utf8" }).stdout.split("\t")[0];
  const pinned = Object.entries(versions.tools).map(([name, tool]) => `${name} ${tool.version}`).join(", ");
  log(`ready in ${seconds(Date.now() - started)}: ${pinned}; ${Object.keys(binaries).length} binaries in ${cacheRoot()} (${size})`);
}

/** --nodes: kwok (simulated, containerd), kwok:docker (simulated, docker), containerd and docker (real). */
function parseNodes(args: string[]): Pick<ClusterOptions, "nodes" | "realNodes"> {
  const at = args.indexOf("--nodes");
  const value = at < 0 ? DEFAULT_NODES : (args[at + 1] ?? "");
  const nodes: SimulatedNode[] = [];
  const realNodes: RealNodeSpec[] = [];
  for (const kind of value.split(",")) {
    if (kind === "kwok" || kind === "kwok:containerd" || kind === "kwok:docker") {
      nodes.push({ name: `testbed-node-${nodes.length + 1}`, runtime: kind === "kwok:docker" ? "docker" : "containerd" });
    } else if (kind === "containerd" || kind === "docker") {
      realNodes.push({ name: `testbed-${kind}-${realNodes.filter((n) => n.runtime === kind).length + 1}`, runtime: kind });
    } else {
      throw new Error(
        `--nodes: "${kind}" is not a node kind. Fix: a comma-separated list of kwok, kwok:docker (simulated), containerd, docker (real), e.g. --nodes ${DEFAULT_NODES}`,
      );
    }
  }
  return { nodes, realNodes };
}

async function startCluster(args: string[]): Promise<Cluster> {
  const started = Date.now();
  const cluster = await Cluster.start({ ...parseNodes(args), log });
  log(`cluster up in ${seconds(Date.now() - started)} (folder ${cluster.dir})`);
  return cluster;
}

/**
 * Resolves on the first stop signal. Listened for before the cluster boots: a signal during the boot (up to a
 * minute) would otherwise kill the process midway and leave processes, folders, namespaces and mounts behind.
 */
function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => onStopSignal(log, resolve));
}

async function up(args: string[]): Promise<void> {
  const stop = stopRequested();
  const cluster = await startCluster(args);
  const bin = dirname((await ensureBinaries(log)).kubectl!);
  // ORCHEST_TESTBED lets `npx ava lib/...test.js` run against this cluster, as `testbed run` would.
  process.stdout.write(`export KUBECONFIG=${cluster.kubeconfig}\nexport ORCHEST_TESTBED=${cluster.writeState()}\nexport PATH=${bin}:$PATH\nkubectl get nodes -o wide\n`);
  log("running; Ctrl-C stops and removes the cluster");
  await stop;
  await cluster.stop();
}

async function runWith(args: string[]): Promise<number> {
  const dash = args.indexOf("--");
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  if (command.length === 0) throw new Error(`run needs a command after --\n${usage}`);
  // kubectl, helm and the rest come first on PATH, so tests run the pinned versions.
  const bins = [...new Set(Object.values(await ensureBinaries(log)).map((path) => dirname(path)))];
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [...bins, process.env.PATH].join(":") };
  let stopping = false;
  const stop = stopRequested().then(() => (stopping = true));
  let cluster: Cluster | undefined;
  if (process.env.ORCHEST_TEST_KUBECONFIG) {
    log(`using the existing cluster of ORCHEST_TEST_KUBECONFIG=${process.env.ORCHEST_TEST_KUBECONFIG}; tests that need the test bed's containerd are skipped`);
    env.KUBECONFIG = process.env.ORCHEST_TEST_KUBECONFIG;
  } else {
    cluster = await startCluster(args.slice(0, Math.max(dash, 0)));
    env.ORCHEST_TESTBED = cluster.writeState();
    env.KUBECONFIG = cluster.kubeconfig;
  }
  if (stopping) {
    // Stopped while the cluster booted: the command never ran.
    await cluster?.stop();
    return 130;
  }
  const child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env });
  void stop.then(() => child.kill("SIGTERM"));
  const code = await new Promise<number>((resolve) => {
    child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    child.once("error", (error) => {
      log(`could not run ${command[0]}: ${error.message}`);
      resolve(127);
    });
  });
  await cluster?.stop();
  return code;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "prepare":
      await prepare();
      return 0;
    case "up":
      await up(args);
      return 0;
    case "run":
      return runWith(args);
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`testbed: ${error.message}\n`);
    process.exit(1);
  },
);
