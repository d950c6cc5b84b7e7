// Where a process's CPU went: the functions with the most self time in a V8 profile (node --cpu-prof).
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The `count` functions with the most self time, as "ms, share of the samples, name, file:line"; idle time left out. */
export function topFunctions(path: string, count: number): string[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const nameOf = new Map(
    profile.nodes.map(({ id, callFrame: { functionName, url, lineNumber } }) => {
      const file = url.startsWith("file://") ? relative(root, fileURLToPath(url)) : url;
      return [id, file ? `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}` : functionName];
    }),
  );
  const selfMicros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
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
