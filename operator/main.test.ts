import test from "ava";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const operatorMain = fileURLToPath(new URL("./main.js", import.meta.url));

for (const value of ["0", "-1", "2.5", "many"]) {
  test(`--concurrent=${value} is refused before anything starts, naming the flag and the fix`, (t) => {
    const run = spawnSync(process.execPath, [operatorMain, `--concurrent=${value}`], { encoding: "utf8", env: { ...process.env, KUBECONFIG: "/nonexistent" } });
    t.is(run.status, 2);
    t.regex(run.stderr, new RegExp(`--concurrent: "${value.replace(".", "\\.")}" is not a count of workers\\. Fix: a whole number, 1 or more\\.`));
  });
}
