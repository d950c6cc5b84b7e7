// Where a process's CPU went: the functions with the most self time in a V8 profile (node --cpu-prof).
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

interface CpuProfile {
  /** Microseconds of the monotonic clock, as process.hrtime reads it in any process. */
  readonly startTime: number;
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = fileURLToPath(new URL("../..", import.meta.url));

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
