import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually } from "./eventually.js";
import type { TestbedState } from "./state.js";

const cli = fileURLToPath(new URL("./cli.js", import.meta.url));

/** `testbed up` as a child process, its output so far, and its exit code. */
function startUp() {
  const child = spawn(process.execPath, [cli, "up", "--nodes", "kwok"], { stdio: ["ignore", "pipe", "pipe"] });
  const output = { out: "", err: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output.out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output.err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

// A signal while the cluster boots (etcd, the apiserver, nodes: up to a minute) used to kill the process midway,
// leaving processes' folders, network namespaces and mounts for the next run to find.
test("Ctrl-C while the test bed boots: it stops once booted, exits 0 and leaves no folder", async (t) => {
  const { child, output, exited } = startUp();
  await eventually("the boot to begin", () => (/starting etcd/.test(output.err) ? true : child.exitCode !== null ? Promise.reject(new Error(output.err)) : undefined), 240_000);
  child.kill("SIGINT");
  t.is(await exited, 0, output.err);
  const dir = /cluster up in \S+ \(folder (\S+)\)/.exec(output.err)?.[1];
  t.truthy(dir, output.err);
  t.false(existsSync(dir!), "the cluster folder is removed");
  t.regex(output.err, /SIGINT: stopping/);
});

// Ctrl-C in a terminal signals the whole process group, and `npm start`/`npm test` forward the signal once more:
// the second one must not cut the cleanup short (it left a 0.6 GB cluster folder in /tmp).
test("a second Ctrl-C while the test bed stops is ignored: it exits 0 with its folder removed", async (t) => {
  const { child, output, exited } = startUp();
  const stateFile = await eventually("the test bed to be up", () => /export ORCHEST_TESTBED=(\S+)/.exec(output.out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(output.err)) : undefined), 240_000);
  const { dir } = JSON.parse(readFileSync(stateFile, "utf8")) as TestbedState;
  t.true(existsSync(dir));

  child.kill("SIGINT");
  await eventually("the first signal to start the cleanup", () => (/SIGINT: stopping/.test(output.err) ? true : undefined), 60_000);
  child.kill("SIGINT");
  t.is(await exited, 0, output.err);
  t.false(existsSync(dir), "the cluster folder is removed");
  t.regex(output.err, /SIGINT again: still stopping/);
});
