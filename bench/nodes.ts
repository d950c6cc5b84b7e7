/**
 * Benchmark: what real nodes cost at idle (kubelet, runtime, kube-proxy and, on docker nodes, dockerd and
 * cri-dockerd, read off each node's cgroup), next to kwok simulating the same number of nodes in the same run.
 *
 *   node lib/bench/nodes.js [seconds]
 */
import { readFileSync } from "node:fs";
import { Cluster } from "../testbed/index.js";
import { sleep } from "../testbed/process.js";
import { processUsage } from "./process-usage.js";
import { runAsScript } from "./run-as-script.js";

const MiB = 1024 * 1024;

export async function run(seconds = 60): Promise<void> {
  const realNodes = [
    { name: "bench-containerd-1", runtime: "containerd" as const },
    { name: "bench-containerd-2", runtime: "containerd" as const },
    { name: "bench-containerd-3", runtime: "containerd" as const },
    { name: "bench-docker-1", runtime: "docker" as const },
  ];
  const kwokNodes = realNodes.map((n, i) => ({ name: `bench-kwok-${i + 1}`, runtime: n.runtime }));
  const started = Date.now();
  const cluster = await Cluster.start({ nodes: kwokNodes, realNodes, containerd: false });
  try {
    process.stdout.write(`cluster with ${realNodes.length} real and ${kwokNodes.length} simulated nodes up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const kwok = (_pid: string, cmdline: string) => cmdline.split("\0")[0]!.endsWith("/kwok") && cmdline.includes(cluster.dir);
    const inNode = (cgroup: string) => (pid: string) => readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(`:pids:${cgroup}/`);
    await sleep(20_000); // let start-up work (image GC, first syncs) settle
    const nodes = realNodes.map((n) => cluster.realNode(n.name)!);
    const before = nodes.map((n) => n.usage());
    const kwokBefore = processUsage(kwok);
    await sleep(seconds * 1000);
    const after = nodes.map((n) => n.usage());
    const kwokAfter = processUsage(kwok);
    const percent = (ns: number) => ((ns / (seconds * 1e9)) * 100).toFixed(2);
    process.stdout.write(`idle over ${seconds} s, per node (its cgroup: kubelet, runtime, kube-proxy; no pods):\n`);
    let psTotal = 0;
    nodes.forEach((node, i) => {
      const cpu = after[i]!.cpuNanoseconds - before[i]!.cpuNanoseconds;
      const ps = processUsage(inNode(node.cgroup)).rssBytes;
      psTotal += ps;
      process.stdout.write(
        `  ${node.name} (${node.runtime}): CPU ${percent(cpu)} % of a core, memory charged to its cgroup ${(after[i]!.rssBytes / MiB).toFixed(0)} MiB (RSS as ps sums it ${(ps / MiB).toFixed(0)} MiB)\n`,
      );
    });
    const totalCpu = after.reduce((sum, u, i) => sum + u.cpuNanoseconds - before[i]!.cpuNanoseconds, 0);
    const totalRss = after.reduce((sum, u) => sum + u.rssBytes, 0);
    process.stdout.write(
      `  all ${nodes.length} real nodes: CPU ${percent(totalCpu)} % of a core, memory charged ${(totalRss / MiB).toFixed(0)} MiB (ps RSS ${(psTotal / MiB).toFixed(0)} MiB, which counts the shared binaries in every process)\n`,
    );
    process.stdout.write(
      `  baseline, kwok simulating ${kwokNodes.length} nodes: CPU ${percent(kwokAfter.cpuNanoseconds - kwokBefore.cpuNanoseconds)} % of a core, RSS ${(kwokAfter.rssBytes / MiB).toFixed(0)} MiB\n`,
    );
  } finally {
    await cluster.stop();
  }
}

runAsScript(import.meta.url, ([seconds]) => run(Number(seconds ?? 60)), { exitWhenDone: true });
