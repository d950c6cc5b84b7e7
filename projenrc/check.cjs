// Fails when the files projen generates differ from what projen.json produces.
// It synthesizes into a scratch copy, so the working tree is never touched, then compares file by file.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const generated = JSON.parse(fs.readFileSync(path.join(root, ".projen/files.json"), "utf8")).files;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "projen-check-"));
try {
  for (const input of ["projen.json", "projenrc", "package.json", "package-lock.json", ...generated]) {
    const from = path.join(root, input);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(scratch, input), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"));
  const projen = path.join(root, "node_modules/projen/lib/run-projenrc-json.task.js");
  execFileSync(process.execPath, [projen], {
    cwd: scratch,
    env: { ...process.env, PROJENRC_FILE: "projen.json", PROJEN_DISABLE_POST: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const drifted = [...generated, "package.json"].filter((file) => {
    const read = (dir) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : "<missing>");
    return read(root) !== read(scratch);
  });
  if (drifted.length > 0) {
    console.error(`projen: these generated files differ from what projen.json produces: ${drifted.join(", ")}`);
    console.error("Fix: run `npx projen` and commit the result (edit projen.json, never the generated files).");
    process.exit(1);
  }
  console.log(`projen: ${generated.length + 1} generated files match projen.json`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
