import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stepEnv } from "../api/pipelines/step-env.js";
import { parseHead } from "./head.js";
import { getInputs, output } from "./transfer.js";

const sdk = fileURLToPath(new URL("./index.js", import.meta.url));
/** apache-arrow as the SDK resolves it: step code run from a project folder imports the same module. */
const arrow = import.meta.resolve("apache-arrow");

/** Runs step code in its own process, with the env a step pod gets, in the project directory. */
function runStep(project: string, data: string, step: string, code: string): string {
  const env = Object.fromEntries(stepEnv([], { project: "p", pipeline: { uuid: "pl", path: "main.orchest" }, step }).map((v) => [v.name, v.value]));
  return execFileSync(process.execPath, ["--input-type=module", "-e", `import { output, getInputs } from ${JSON.stringify(sdk)};\n${code}`], {
    cwd: project,
    env: { PATH: process.env.PATH, ...env, ORCHEST_DATA_DIR: data },
    encoding: "utf8",
  });
}

test("a step's output reaches the step that depends on it, resolved through HEAD", (t) => {
  const project = mkdtempSync(join(tmpdir(), "sdk-project-"));
  const data = mkdtempSync(join(tmpdir(), "sdk-data-"));
  writeFileSync(join(project, "main.orchest"), JSON.stringify({ steps: { load: { incoming_connections: [] }, weights: { incoming_connections: [] }, train: { incoming_connections: ["load", "weights"] } } }));

  runStep(project, data, "load", `output({ rows: [[1, "a"], [2, "b"]] }, "table");`);
  runStep(project, data, "weights", `output(new Uint8Array([0, 255, 7]), "weights");`);
  const head = readFileSync(join(data, "load", "HEAD"), "utf8");
  t.regex(head, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00; json; table\n$/);
  t.is(parseHead(readFileSync(join(data, "weights", "HEAD"), "utf8"), "HEAD").serialization, "bytes");

  const got = JSON.parse(runStep(project, data, "train", `const i = getInputs(); console.log(JSON.stringify({ table: i.table, weights: [...i.weights] }));`));
  t.deepEqual(got, { table: { rows: [[1, "a"], [2, "b"]] }, weights: [0, 255, 7] });
});

test("a table output as Arrow IPC reaches the dependent step as an apache-arrow Table", (t) => {
  const project = mkdtempSync(join(tmpdir(), "sdk-project-"));
  const data = mkdtempSync(join(tmpdir(), "sdk-data-"));
  writeFileSync(join(project, "main.orchest"), JSON.stringify({ steps: { extract: { incoming_connections: [] }, report: { incoming_connections: ["extract"] } } }));

  runStep(project, data, "extract", `import { tableFromArrays } from ${JSON.stringify(arrow)};
output(tableFromArrays({ id: Int32Array.from([1, 2, 3]), city: ["Oslo", "Lima", "Pune"] }), "cities");`);
  t.regex(readFileSync(join(data, "extract", "HEAD"), "utf8"), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00; arrow; cities\n$/);
  // An Arrow IPC stream opens with the continuation marker of its first (schema) message.
  t.deepEqual([...readFileSync(join(data, "extract", "extract.arrow")).subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);

  const got = JSON.parse(runStep(project, data, "report", `import { Table } from ${JSON.stringify(arrow)};
const { cities } = getInputs();
console.log(JSON.stringify({ table: cities instanceof Table, schema: cities.schema.fields.map((f) => \`\${f.name}: \${f.type}\`), id: [...cities.getChild("id")], city: [...cities.getChild("city")] }));`));
  t.deepEqual(got, { table: true, schema: ["id: Int32", "city: Dictionary<Int32, Utf8>"], id: [1, 2, 3], city: ["Oslo", "Lima", "Pune"] });
});

test("a later output replaces the earlier one, and the HEAD names it", (t) => {
  const data = mkdtempSync(join(tmpdir(), "sdk-data-"));
  output([1], "first", { dataDir: data, stepUuid: "a" });
  output({ v: 2 }, "second", { dataDir: data, stepUuid: "a" });
  t.deepEqual(getInputs({ dataDir: data, parents: ["a", "no-output-yet"] }), { second: { v: 2 } });
});

test("two parents outputting the same name is a clear error", (t) => {
  const data = mkdtempSync(join(tmpdir(), "sdk-data-"));
  output(1, "x", { dataDir: data, stepUuid: "a" });
  output(2, "x", { dataDir: data, stepUuid: "b" });
  t.throws(() => getInputs({ dataDir: data, parents: ["a", "b"] }), { message: /steps a and b both output a value named "x"/ });
});

test("names that cannot fit a HEAD line are refused", (t) => {
  t.throws(() => output(1, "a; b", { dataDir: tmpdir(), stepUuid: "s" }), { message: /cannot contain ';'/ });
  t.throws(() => output(1, "", { dataDir: tmpdir(), stepUuid: "s" }), { message: /empty/ });
});
