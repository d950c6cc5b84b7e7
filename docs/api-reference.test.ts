import test from "ava";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PACKAGE_ROOT } from "../cli/paths.js";

// The API reference (`npm run docs`) is TypeDoc over the package's entry points; typedoc.json makes every
// validation warning (a broken {@link}, a public type left out of the exports) an error.
const run = promisify(execFile);
const typedoc = join(PACKAGE_ROOT, "node_modules", "typedoc", "bin", "typedoc");

test("the API reference of reconcilers, synth, crds/types and sdk builds with no broken link or missing export", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "api-reference-"));
  await run(process.execPath, [typedoc, "--out", out], { cwd: PACKAGE_ROOT, maxBuffer: 16 << 20 });
  t.deepEqual(readdirSync(join(out, "modules")).sort(), ["crds_types.html", "reconcilers.html", "sdk.html", "synth.html"]);
});

test("a broken {@link} fails the build, naming it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "api-reference-broken-"));
  writeFileSync(join(dir, "broken.ts"), "/** Works like {@link NoSuchThing}. */\nexport const thing = 1;\n");
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", strict: true }, include: ["*.ts"] }));
  // The project's own settings, on one file of this test's.
  writeFileSync(join(dir, "typedoc.json"), JSON.stringify({ extends: [join(PACKAGE_ROOT, "typedoc.json")], entryPoints: ["broken.ts"], tsconfig: "tsconfig.json", out: "out" }));
  const error = (await t.throwsAsync(run(process.execPath, [typedoc], { cwd: dir }))) as { stdout?: string; stderr?: string };
  t.regex(`${error.stdout}${error.stderr}`, /Failed to resolve link to "NoSuchThing"/);
});
