#!/usr/bin/env node
// `npm run bench`: every benchmark, each printing its numbers next to a baseline measured in the same run.
// Speed targets live here, never in timed tests. `npm run bench -- operator synth` runs only those.
import { run as agent } from "./agent.js";
import { run as agentIdle } from "./agent-idle.js";
import { run as agentRealNodes } from "./agent-real-nodes.js";
import { run as applier } from "./applier.js";
import { run as convergence } from "./convergence.js";
import { run as events } from "./events.js";
import { run as imageLocationsScale } from "./image-locations-scale.js";
import { run as informer } from "./informer.js";
import { run as nodes } from "./nodes.js";
import { run as operator } from "./operator.js";
import { run as operatorScale } from "./operator-scale.js";
import { run as platform } from "./platform.js";
import { run as synth } from "./synth.js";
import { run as zeroWrites } from "./zero-writes.js";

// In the order of the architecture: the engine, then its users.
const benches: Record<string, () => Promise<unknown>> = {
  informer,
  applier,
  convergence,
  "zero-writes": zeroWrites,
  synth,
  operator,
  "operator-scale": () => operatorScale(),
  agent: () => agent(),
  "agent-real-nodes": () => agentRealNodes(),
  "agent-idle": () => agentIdle(),
  "image-locations-scale": () => imageLocationsScale(),
  events: () => events(),
  nodes: () => nodes(),
  platform,
};

async function main(only: string[]): Promise<void> {
  const unknown = only.filter((name) => !(name in benches));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(", ")}. Fix: one of ${Object.keys(benches).join(", ")}`);
  for (const [name, run] of Object.entries(benches)) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stdout.write(`\n== ${name}\n`);
    await run();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(1);
  },
);
