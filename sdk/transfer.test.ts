import test, { type ExecutionContext } from "ava";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stepEnv } from "../api/pipelines/step-env.js";
import { getInputs, output, resolve } from "./transfer.js";
import { tempDir } from "../testbed/temp-dir.js";

const sdk = fileURLToPath(new URL("./index.js", import.meta.url));
/** apache-arrow as the SDK resolves it: step code run from a project folder imports the same module. */
const arrow = import.meta.resolve("apache-arrow");
const PIPELINE = "pl";
/** Orchest's SDK keeps a run's outputs in the project: .orchest/pipelines/<pipeline uuid>/data/<step uuid>/. */
const dataOf = (project: string) => join(project, ".orchest", "pipelines", PIPELINE, "data");
const HEAD_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}; (PICKLE|ARROW_TABLE|ARROW_BATCH); [^\n]*$/;

/** Runs step code in its own process, with the env a step pod gets, in the project directory. */
function runStep(project: string, step: string, code: string): string {
  const env = Object.fromEntries(stepEnv([], { project: "p", pipeline: { uuid: PIPELINE, path: "main.orchest" }, step }).map((v) => [v.name, v.value]));
  return execFileSync(process.execPath, ["--input-type=module", "-e", `import { output, getInputs } from ${JSON.stringify(sdk)};\n${code}`], {
    cwd: project,
    // ORCHEST_PROJECT_DIR stands in for Orchest's /project-dir, as in a Jupyter kernel.
    env: { PATH: process.env.PATH, ...env, ORCHEST_PROJECT_DIR: project },
    encoding: "utf8",
  });
}

function project(t: ExecutionContext, steps: Record<string, string[]>): string {
  const dir = tempDir(t, "sdk-project");
  const entries = Object.entries(steps).map(([uuid, parents]) => [uuid, { uuid, title: `${uuid} step`, incoming_connections: parents }]);
  writeFileSync(join(dir, "main.orchest"), JSON.stringify({ uuid: PIPELINE, name: "main", steps: Object.fromEntries(entries) }));
  return dir;
}

test("a step's output reaches the step that depends on it, in Orchest's files: HEAD and <step>.PICKLE in the pipeline's data folder", (t) => {
  const dir = project(t, { load: [], weights: [], train: ["load", "weights"] });
  runStep(dir, "load", `output({ rows: [[1, "a"], [2, "b"]] }, "table");`);
  runStep(dir, "weights", `output(new Uint8Array([0, 255, 7]), "weights");`);
  const head = readFileSync(join(dataOf(dir), "load", "HEAD"), "utf8");
  t.regex(head, HEAD_LINE, "isoformat(timespec='seconds') of UTC without an offset, '; ', the serialization, '; ', the name, no newline");
  t.true(head.endsWith("; PICKLE; table"));
  t.deepEqual(readdirSync(join(dataOf(dir), "weights")).sort(), ["HEAD", "weights.PICKLE"]);

  const got = JSON.parse(runStep(dir, "train", `const i = getInputs(); console.log(JSON.stringify({ ...i, weights: [...i.weights] }));`));
  t.deepEqual(got, { unnamed: [], table: { rows: [[1, "a"], [2, "b"]] }, weights: [0, 255, 7] });
});

test("a table is output as an Arrow IPC stream (ARROW_TABLE) and reaches the dependent step as an apache-arrow Table", (t) => {
  const dir = project(t, { extract: [], report: ["extract"] });
  runStep(dir, "extract", `import { tableFromArrays } from ${JSON.stringify(arrow)};
output(tableFromArrays({ id: Int32Array.from([1, 2, 3]), city: ["Oslo", "Lima", "Pune"] }), "cities");`);
  t.true(readFileSync(join(dataOf(dir), "extract", "HEAD"), "utf8").endsWith("; ARROW_TABLE; cities"));
  // An Arrow IPC stream opens with the continuation marker of its first (schema) message.
  t.deepEqual([...readFileSync(join(dataOf(dir), "extract", "extract.ARROW_TABLE")).subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);

  const got = JSON.parse(runStep(dir, "report", `import { Table } from ${JSON.stringify(arrow)};
const { cities } = getInputs();
console.log(JSON.stringify({ table: cities instanceof Table, schema: cities.schema.fields.map((f) => \`\${f.name}: \${f.type}\`), id: [...cities.getChild("id")], city: [...cities.getChild("city")] }));`));
  t.deepEqual(got, { table: true, schema: ["id: Int32", "city: Dictionary<Int32, Utf8>"], id: [1, 2, 3], city: ["Oslo", "Lima", "Pune"] });
});

test("a record batch is output as ARROW_BATCH and comes back as a RecordBatch", (t) => {
  const dir = project(t, { a: [], b: ["a"] });
  runStep(dir, "a", `import { tableFromArrays } from ${JSON.stringify(arrow)};
output(tableFromArrays({ x: Float64Array.from([0.5, 1.5]) }).batches[0], "batch");`);
  t.true(readFileSync(join(dataOf(dir), "a", "HEAD"), "utf8").endsWith("; ARROW_BATCH; batch"));
  const got = JSON.parse(runStep(dir, "b", `import { RecordBatch } from ${JSON.stringify(arrow)};
const { batch } = getInputs();
console.log(JSON.stringify({ batch: batch instanceof RecordBatch, x: [...batch.getChild("x")] }));`));
  t.deepEqual(got, { batch: true, x: [0.5, 1.5] });
});

test("a later output replaces the earlier one: resolve() picks the most recent, whatever its serialization", (t) => {
  const data = tempDir(t, "sdk-data");
  output([1], "first", { dataDir: data, stepUuid: "a" });
  output(new Uint8Array([9]), "second", { dataDir: data, stepUuid: "a" });
  const latest = resolve("a", { dataDir: data })!;
  t.like(latest, { serialization: "PICKLE", name: "second" });
  t.deepEqual(latest.read(), new Uint8Array([9]));
  t.deepEqual(getInputs({ dataDir: data, parents: ["a"] }), { unnamed: [], second: new Uint8Array([9]) });
});

test("unnamed outputs gather under 'unnamed' in the order of the parents, as Orchest's get_inputs does", (t) => {
  const data = tempDir(t, "sdk-data");
  output("from b", null, { dataDir: data, stepUuid: "b" });
  output("from a", null, { dataDir: data, stepUuid: "a" });
  output(3, "named", { dataDir: data, stepUuid: "c" });
  t.true(readFileSync(join(data, "a", "HEAD"), "utf8").endsWith("; PICKLE; unnamed"));
  t.deepEqual(getInputs({ dataDir: data, parents: ["a", "c", "b"] }), { unnamed: ["from a", "from b"], named: 3 });
});

test("a parent without output is an error that names it, as in Orchest (try rerunning it)", (t) => {
  const dir = project(t, { load: [], train: ["load"] });
  const err = t.throws(() => runStep(dir, "train", `getInputs();`));
  t.regex(String((err as { stderr?: string }).stderr), /Output from incoming step "load step" \("load"\) cannot be found\. Try rerunning it\./);
});

test("two parents outputting the same name is a clear error", (t) => {
  const data = tempDir(t, "sdk-data");
  output(1, "x", { dataDir: data, stepUuid: "a" });
  output(2, "x", { dataDir: data, stepUuid: "b" });
  t.throws(() => getInputs({ dataDir: data, parents: ["a", "b"] }), { message: /steps a and b both output a value named "x"/ });
});

test("names Orchest's SDK refuses are refused: the separator '; ' and the reserved 'unnamed'; others are kept as given", (t) => {
  t.throws(() => output(1, "a; b", { dataDir: tmpdir(), stepUuid: "s" }), { message: /'; ' cannot be part of an output name/ });
  t.throws(() => output(1, "unnamed", { dataDir: tmpdir(), stepUuid: "s" }), { message: /'unnamed' is reserved/ });
  const data = tempDir(t, "sdk-data");
  output(1, "a;b c", { dataDir: data, stepUuid: "s" });
  t.is(resolve("s", { dataDir: data })?.name, "a;b c");
});

test("a HEAD of Orchest's in-memory form (a flag before the three parts) resolves by its last three; a broken HEAD names its file", (t) => {
  const data = tempDir(t, "sdk-data");
  output({ v: 1 }, "kept", { dataDir: data, stepUuid: "s" });
  const head = join(data, "s", "HEAD");
  writeFileSync(head, `1; ${readFileSync(head, "utf8")}`);
  t.like(resolve("s", { dataDir: data }), { serialization: "PICKLE", name: "kept" });
  mkdirSync(join(data, "t"));
  writeFileSync(join(data, "t", "HEAD"), "yesterday; JSON; x");
  t.throws(() => resolve("t", { dataDir: data }), { message: new RegExp(`${join(data, "t", "HEAD")}: not a HEAD file`) });
});
