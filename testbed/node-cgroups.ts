// Every process of a real node lives in one cgroup subtree: its daemons, the containerd shims they leave running,
// and its pods (the kubelet's cgroupRoot). So teardown, and the clean-up after a killed run, can find and stop all
// of them by cgroup, and the node's CPU and memory can be read off it. cgroup v1, as on this machine (the unified
// hierarchy of a hybrid mount is walked too, for what runc puts there).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./process.js";

interface Hierarchy {
  readonly mount: string;
  readonly v1: boolean;
  readonly controllers: readonly string[];
}

function hierarchies(): Hierarchy[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line): Hierarchy | undefined => {
      const [fields, rest] = line.split(" - ");
      if (!fields || !rest) return undefined;
      const [type, , options] = rest.split(" ");
      const mount = fields.split(" ")[4]!;
      if (type === "cgroup") return { mount, v1: true, controllers: options!.split(",").filter((o) => !["rw", "ro", "relatime", "nosuid", "nodev", "noexec"].includes(o)) };
      if (type === "cgroup2") return { mount, v1: false, controllers: [] };
      return undefined;
    })
    .filter((h): h is Hierarchy => h !== undefined && h.mount.startsWith("/sys/fs/cgroup"));
}

/**
 * The base of a test bed's cgroups: beneath this process's own memory cgroup, so that whatever limits and
 * accounts for this run's memory covers its nodes too; the same path is made in every hierarchy, as runc wants.
 */
export function cgroupBase(name: string): string {
  const own = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((line) => line.split(":")[1]?.split(",").includes("memory"));
  const parent = own?.split(":")[2] ?? "/";
  return join(parent, name);
}

/** Creates `path` in every v1 hierarchy; a new cpuset gets its parent's CPUs and memory nodes. */
export function createCgroup(path: string): void {
  for (const h of hierarchies().filter((h) => h.v1)) {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dir = join(h.mount, ...parts.slice(0, i));
      if (existsSync(dir)) continue;
      mkdirSync(dir);
      if (h.controllers.includes("cpuset")) {
        for (const file of ["cpuset.cpus", "cpuset.mems"]) writeFileSync(join(dir, file), readFileSync(join(dir, "..", file)));
      }
    }
  }
}

/** A shell snippet that moves the shell into `path` in every v1 hierarchy, before it execs the real command. */
export function joinCgroupScript(path: string): string {
  const files = hierarchies()
    .filter((h) => h.v1)
    .map((h) => join(h.mount, path, "cgroup.procs"));
  return `for f in ${files.join(" ")}; do echo $$ > "$f"; done`;
}

/** Every cgroup folder at or below `path`, deepest first. */
function subtree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  return [...children.flatMap((child) => subtree(join(dir, child.name))), dir];
}

function pidsIn(dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs) {
    try {
      for (const line of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")) if (line) pids.add(Number(line));
    } catch {
      // Removed meanwhile.
    }
  }
  return [...pids];
}

/**
 * Kills every process at or below `path` (frozen first, so that nothing forks meanwhile) and removes the cgroups.
 * Returns the number of processes it had to kill.
 */
export async function cleanupCgroups(path: string): Promise<number> {
  const all = hierarchies();
  const dirs = () => all.flatMap((h) => subtree(join(h.mount, path)));
  const freezer = all.find((h) => h.controllers.includes("freezer"));
  const freezerState = freezer && join(freezer.mount, path, "freezer.state");
  const found = pidsIn(dirs());
  if (found.length > 0) {
    if (freezerState && existsSync(freezerState)) writeFileSync(freezerState, "FROZEN");
    for (const pid of found) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (freezerState && existsSync(freezerState)) writeFileSync(freezerState, "THAWED");
  }
  for (let i = 0; i < 100; i++) {
    const left = pidsIn(dirs());
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await sleep(50);
  }
  for (const dir of dirs()) {
    try {
      rmdirSync(dir);
    } catch {
      // Still busy (a task in uninterruptible sleep): the next clean-up of this slot gets it.
    }
  }
  return found.length;
}

/**
 * The kubelet gives the CRI no cgroup parent when cgroupsPerQOS is off (its no-op pod container manager names
 * none), so containerd puts each container and pod sandbox at /k8s.io/<id>, outside the node's cgroup: its
 * processes outlive the node's shims, and the cgroup outlives a container containerd never got to delete. Kills
 * what runs in those of `ids` and removes them.
 */
export async function cleanupContainerCgroups(ids: Iterable<string>): Promise<void> {
  for (const id of ids) await cleanupCgroups(containerCgroup(id));
}

/** Where containerd's CRI plugin (namespace k8s.io) puts a container given no cgroup parent. */
export function containerCgroup(id: string): string {
  return join("/k8s.io", id);
}

/** CPU time (ns) charged to `path`, and its memory: resident (anonymous) and page cache, in bytes. */
export function cgroupUsage(path: string): { cpuNanoseconds: number; rssBytes: number; cacheBytes: number } {
  const all = hierarchies();
  const file = (controller: string, name: string) => {
    const h = all.find((x) => x.controllers.includes(controller));
    if (!h) throw new Error(`no cgroup v1 ${controller} hierarchy is mounted`);
    return readFileSync(join(h.mount, path, name), "utf8");
  };
  const stat = Object.fromEntries(file("memory", "memory.stat").split("\n").filter(Boolean).map((line) => line.split(" ") as [string, string]));
  return { cpuNanoseconds: Number(file("cpuacct", "cpuacct.usage").trim()), rssBytes: Number(stat.total_rss), cacheBytes: Number(stat.total_cache) };
}
