import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually } from "./eventually.js";
import type { TestbedState } from "./state.js";

const cli = fileURLToPath(new URL("./cli.js", import.meta.url));

// Ctrl-C in a terminal signals the whole process group, and `npm start`/`npm test` forward the signal once more:
// the second one must not cut the cleanup short (it left a 0.6 GB cluster folder in /tmp).
test("a second Ctrl-C while the test bed stops is ignored: it exits 0 with its folder removed", async (t) => {
  const child = spawn(process.execPath, [cli, "up", "--nodes", "kwok"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stateFile = await eventually("the test bed to be up", () => /export ORCHEST_TESTBED=(\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(err)) : undefined), 240_000);
  const { dir } = JSON.parse(readFileSync(stateFile, "utf8")) as TestbedState;
  t.true(existsSync(dir));

  child.kill("SIGINT");
  await eventually("the first signal to start the cleanup", () => (/SIGINT: stopping/.test(err) ? true : undefined), 60_000);
  child.kill("SIGINT");
  t.is(await exited, 0, err);
  t.false(existsSync(dir), "the cluster folder is removed");
  t.regex(err, /SIGINT again: still stopping/);
});
