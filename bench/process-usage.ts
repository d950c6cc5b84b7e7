// What processes cost, read from /proc as ps reads it: for a child process, its own figures (no cgroup needed).
import { readdirSync, readFileSync } from "node:fs";

/** CPU time (ns) and resident memory (bytes, VmRSS as ps shows it, and its peak VmHWM) of the processes `chosen` picks. */
export function processUsage(chosen: (pid: string, cmdline: string) => boolean): { cpuNanoseconds: number; rssBytes: number; peakRssBytes: number } {
  const ticks = 100; // USER_HZ
  let cpu = 0;
  let rss = 0;
  let peak = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!chosen(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8"))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu += ((Number(fields[11]) + Number(fields[12])) / ticks) * 1e9;
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      peak += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // Exited meanwhile.
    }
  }
  return { cpuNanoseconds: cpu, rssBytes: rss, peakRssBytes: peak };
}
