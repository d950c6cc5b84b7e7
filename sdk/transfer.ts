import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { decode, encode } from "./codec.js";
import { formatHead, isoSeconds, nameProblem, parseHead, type Head, type Serialization } from "./head.js";

export interface TransferOptions {
  /** Where every step's outputs live (the run's data volume). @default $ORCHEST_DATA_DIR or /data */
  readonly dataDir?: string;
  /** This step. @default $ORCHEST_STEP_UUID */
  readonly stepUuid?: string;
}

export interface InputOptions extends TransferOptions {
  /** The steps this one depends on. @default read from the pipeline file at $ORCHEST_PIPELINE_PATH */
  readonly parents?: readonly string[];
}

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`${name} is not set: run this inside an Orchest step, or pass the option explicitly`);
  return value;
};
const dataDirOf = (o: TransferOptions) => o.dataDir ?? env("ORCHEST_DATA_DIR", "/data");
const stepOf = (o: TransferOptions) => o.stepUuid ?? env("ORCHEST_STEP_UUID");
const dataFile = (dir: string, step: string, serialization: Serialization) => join(dir, step, `${step}.${serialization}`);

/**
 * Writes this step's output under `name` (Arrow IPC for an apache-arrow Table, bytes for a Uint8Array/Buffer,
 * JSON for other values), then its HEAD.
 * Each file is written aside and renamed into place, data first: a reader never sees a HEAD whose data is
 * missing or half written.
 */
export function output(data: unknown, name: string, options: TransferOptions = {}): Head {
  const problem = nameProblem(name);
  if (problem) throw new Error(problem);
  const dir = dataDirOf(options);
  const step = stepOf(options);
  const { serialization, bytes } = encode(data);
  const head: Head = { timestamp: isoSeconds(new Date()), serialization, name };
  mkdirSync(join(dir, step), { recursive: true });
  atomicWrite(dataFile(dir, step, serialization), bytes);
  atomicWrite(join(dir, step, "HEAD"), formatHead(head));
  return head;
}

/**
 * The most recent output of every parent step, by output name (a table as an apache-arrow Table). Disk is the only transfer method here, so a
 * parent's HEAD is its most recent output; a parent without output is left out. Two parents that output the
 * same name are an error: the inputs could not be told apart.
 */
export function getInputs(options: InputOptions = {}): Record<string, unknown> {
  const dir = dataDirOf(options);
  const parents = options.parents ?? parentsFromPipelineFile(stepOf(options));
  const inputs: Record<string, unknown> = {};
  const from = new Map<string, string>();
  for (const parent of parents) {
    const head = readHead(dir, parent);
    if (!head) continue;
    const other = from.get(head.name);
    if (other) throw new Error(`steps ${other} and ${parent} both output a value named ${JSON.stringify(head.name)}: give their outputs different names`);
    from.set(head.name, parent);
    inputs[head.name] = decode(head.serialization, readFileSync(dataFile(dir, parent, head.serialization)));
  }
  return inputs;
}

function readHead(dir: string, step: string): Head | undefined {
  const path = join(dir, step, "HEAD");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseHead(text, path);
}

// Orchest's pipeline file: { steps: { <uuid>: { incoming_connections: [<parent uuid>, ...] } } }, at
// $ORCHEST_PIPELINE_PATH relative to the project directory (the step's working directory).
function parentsFromPipelineFile(step: string): string[] {
  const path = resolve(process.env.ORCHEST_PROJECT_DIR ?? process.cwd(), env("ORCHEST_PIPELINE_PATH"));
  const pipeline = JSON.parse(readFileSync(path, "utf8")) as { steps?: Record<string, { incoming_connections?: string[] }> };
  const entry = pipeline.steps?.[step];
  if (!entry) throw new Error(`${path} has no step ${step}`);
  return entry.incoming_connections ?? [];
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, data);
  renameSync(aside, path);
}
