// Where a process's CPU went: the functions with the most self time in a V8 profile (node --cpu-prof).
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

interface CpuProfile {
  /** Microseconds of the monotonic clock, as process.hrtime reads it in any process. */
  readonly startTime: number;
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A span of a process's life to report on its own, e.g. "idle 60 s". */
export interface ProfileWindow {
  readonly label: string;
  readonly fromMicros: number;
  readonly toMicros: number;
}

/**
 * With BENCH_CPU_PROF set: a folder for the profiles of the processes a benchmark starts (outside any test bed's
 * folder, which goes when it stops), and the node flags that write one there at each process's exit.
 */
export interface CpuProfiling {
  readonly dir: string;
  readonly nodeFlags: readonly string[];
}

export function cpuProfiling(name: string): CpuProfiling | undefined {
  if (!process.env.BENCH_CPU_PROF) return undefined;
  const dir = mkdtempSync(join(tmpdir(), `${name}-profiles-`));
  // A sample every 10 ms, not V8's 1 ms: at 1 ms the sampling alone cost an idle process 5 % of a core.
  return { dir, nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=10000"] };
}

/** Profiles in `dir` now, to tell a process's new one from earlier ones. */
export const profilesIn = (dir: string): ReadonlySet<string> => new Set(readdirSync(dir));

/** Prints where a stopped process's CPU went (the profile it wrote since `before`), over its life and each window. */
export function reportProfile(dir: string, before: ReadonlySet<string>, label: string, windows: readonly ProfileWindow[] = []): void {
  const written = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f));
  if (written.length === 0) {
    process.stdout.write(`  ${label}: no CPU profile written (the process did not exit on its own)\n`);
    return;
  }
  const path = join(dir, written[0]!);
  process.stdout.write(`  ${label}: CPU profile ${path}; top functions by self time:\n`);
  for (const line of topFunctions(path, 12)) process.stdout.write(`    ${line}\n`);
  for (const window of windows) {
    process.stdout.write(`  ${label}, ${window.label}:\n`);
    for (const line of topFunctions(path, 12, window)) process.stdout.write(`    ${line}\n`);
  }
}

/** Microseconds of the monotonic clock, comparable with a profile's sample times. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * The `count` functions with the most self time, as "ms, share of the busy time, name, file:line"; idle time
 * left out; only the samples within `window` (monotonicMicros of this or any process) when given.
 */
export function topFunctions(path: string, count: number, window?: { readonly fromMicros: number; readonly toMicros: number }): string[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const nameOf = new Map(
    profile.nodes.map(({ id, callFrame: { functionName, url, lineNumber } }) => {
      const file = url.startsWith("file://") ? relative(root, fileURLToPath(url)) : url;
      return [id, file ? `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}` : functionName];
    }),
  );
  const selfMicros = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromMicros || at > window.toMicros)) return;
    const name = nameOf.get(id)!;
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  selfMicros.delete("(idle)");
  const busy = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  return [...selfMicros.entries()]
    .sort(([, a], [, b]) => b - a)
    .slice(0, count)
    .map(([name, micros]) => `${(micros / 1000).toFixed(0)} ms (${((micros / busy) * 100).toFixed(1)} % of busy time) ${name}`);
}
