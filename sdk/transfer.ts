import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { decode, encode } from "./codec.js";
import { formatHead, isoSeconds, nameProblem, parseHead, UNNAMED, type Head } from "./head.js";

export interface TransferOptions {
  /**
   * The folder that holds every step's output folder.
   * @default Orchest's: $ORCHEST_PROJECT_DIR (or /project-dir)/.orchest/pipelines/$ORCHEST_PIPELINE_UUID/data
   */
  readonly dataDir?: string;
  /** This step. @default $ORCHEST_STEP_UUID */
  readonly stepUuid?: string;
}

export interface InputOptions extends TransferOptions {
  /** The steps this one depends on, in order. @default read from the pipeline file at $ORCHEST_PIPELINE_PATH */
  readonly parents?: readonly string[];
}

/** What getInputs() returns: each named output by its name, and the unnamed ones in the order of the parents. */
export type Inputs = { unnamed: unknown[] } & Record<string, unknown>;

/** A step's most recent output, and how to read it. */
export interface Resolved extends Head {
  read(): unknown;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this inside an Orchest step, or pass the option explicitly`);
  return value;
};
const projectDir = () => process.env.ORCHEST_PROJECT_DIR ?? "/project-dir";
const dataDirOf = (o: TransferOptions) => o.dataDir ?? join(projectDir(), ".orchest", "pipelines", env("ORCHEST_PIPELINE_UUID"), "data");
const stepOf = (o: TransferOptions) => o.stepUuid ?? env("ORCHEST_STEP_UUID");
// Orchest's file names: <data dir>/<step>/HEAD and <data dir>/<step>/<step>.<SERIALIZATION>.
const headFile = (dir: string, step: string) => join(dir, step, "HEAD");
const dataFile = (dir: string, step: string, head: Head) => join(dir, step, `${step}.${head.serialization}`);

/**
 * Writes this step's output under `name` (null: unnamed), as Orchest's SDK does: an apache-arrow Table or
 * RecordBatch as an Arrow IPC stream, anything else pickled; then its HEAD. A later output replaces it, whatever
 * its name. Each file is written aside and renamed into place, data first: a reader never sees a HEAD whose data
 * is missing or half written.
 */
export function output(data: unknown, name: string | null, options: TransferOptions = {}): Head {
  const problem = name === null ? undefined : nameProblem(name);
  if (problem) throw new Error(problem);
  const dir = dataDirOf(options);
  const step = stepOf(options);
  const { serialization, bytes } = encode(data);
  const head: Head = { timestamp: isoSeconds(new Date()), serialization, name: name ?? UNNAMED };
  mkdirSync(join(dir, step), { recursive: true });
  atomicWrite(dataFile(dir, step, head), bytes);
  atomicWrite(headFile(dir, step), formatHead(head));
  return head;
}

/**
 * The most recent output of `step`: Orchest's SDK resolves each transfer method's latest write and takes the most
 * recent by timestamp; disk is the only method (Orchest's last SDK too writes memory outputs to disk), so that is
 * the output its HEAD names.
 */
export function resolve(step: string, options: TransferOptions = {}): Resolved | undefined {
  const dir = dataDirOf(options);
  const path = headFile(dir, step);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const head = parseHead(text, path);
  const file = dataFile(dir, step, head);
  return { ...head, read: () => decode(head.serialization, readFileSync(file), file) };
}

/**
 * The most recent output of every parent step (a table as an apache-arrow Table), as Orchest's get_inputs:
 * named outputs by name, unnamed ones under `unnamed` in the order of the parents. A parent without output,
 * or two parents that output the same name, are errors.
 */
export function getInputs(options: InputOptions = {}): Inputs {
  const parents = options.parents?.map((uuid) => ({ uuid, title: uuid })) ?? parentsFromPipelineFile(stepOf(options));
  const outputs = parents.map((parent) => {
    const latest = resolve(parent.uuid, options);
    if (!latest) throw new Error(`Output from incoming step "${parent.title}" ("${parent.uuid}") cannot be found. Try rerunning it.`);
    return { parent, latest };
  });
  const from = new Map<string, string>();
  for (const { parent, latest } of outputs) {
    if (latest.name === UNNAMED) continue;
    const other = from.get(latest.name);
    if (other) throw new Error(`steps ${other} and ${parent.title} both output a value named ${JSON.stringify(latest.name)}: give their outputs different names`);
    from.set(latest.name, parent.title);
  }
  const inputs: Inputs = { unnamed: [] };
  for (const { latest } of outputs) {
    if (latest.name === UNNAMED) inputs.unnamed.push(latest.read());
    else Object.defineProperty(inputs, latest.name, { value: latest.read(), enumerable: true, writable: true, configurable: true });
  }
  return inputs;
}

// Orchest's pipeline file: { steps: { <uuid>: { title, incoming_connections: [<parent uuid>, ...] } } }, at
// $ORCHEST_PIPELINE_PATH (relative: to the project directory, the step's working directory).
function parentsFromPipelineFile(step: string): { uuid: string; title: string }[] {
  const path = resolvePath(process.env.ORCHEST_PROJECT_DIR ?? process.cwd(), env("ORCHEST_PIPELINE_PATH"));
  const pipeline = JSON.parse(readFileSync(path, "utf8")) as { steps?: Record<string, { title?: string; incoming_connections?: string[] }> };
  const entry = pipeline.steps?.[step];
  if (!entry) throw new Error(`${path} has no step ${step}`);
  return (entry.incoming_connections ?? []).map((uuid) => ({ uuid, title: pipeline.steps?.[uuid]?.title ?? uuid }));
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, data);
  renameSync(aside, path);
}
