import test from "ava";
import { orchestImports } from "./testing/imports.js";

// A TAB in the user's shell runs `orchest __complete`: it must answer without loading what the
// commands use (the Kubernetes client, cdk8s), which took over a second of CPU per keystroke.
const HEAVY = /\/node_modules\/(@kubernetes\/client-node|cdk8s|cdk8s-plus-28|ajv)\//;
const heavyImports = (imports: readonly string[]) => imports.filter((url) => HEAVY.test(url));

for (const args of [["__complete", ""], ["__complete", "synth", "--runtime", ""], ["--help"], ["synth", "--help"], ["no-such-command"]]) {
  test(`orchest ${args.join(" ")} loads no command's implementation`, async (t) => {
    const { imports } = await orchestImports(...args);
    t.true(imports.some((url) => url.endsWith("/cli/main.js")), "the recorder saw the CLI load");
    t.deepEqual(heavyImports(imports), []);
  });
}

test("a command that runs loads what it uses (the recorder sees it)", async (t) => {
  const { code, imports } = await orchestImports("version");
  t.is(code, 0);
  t.true(heavyImports(imports).some((url) => url.includes("/cdk8s")));
});
