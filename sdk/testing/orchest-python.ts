import { execFileSync, spawnSync } from "node:child_process";

/**
 * Python that writes and reads data passing files the way Orchest's Python SDK does (orchest/transfer.py:
 * output_to_disk, _resolve_disk, _interpret_metadata, _get_output_disk), for the tests of both directions.
 * Only the PICKLE serialization: pyarrow is not installable here.
 */
export const PYTHON = process.env.ORCHEST_TEST_PYTHON ?? "python3";

export function pythonAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import pickle"], { stdio: "ignore" }).status === 0;
}

// argv: step dir, step uuid, name ("" for unnamed), a Python expression (datetime importable) to output.
const WRITER = `
import datetime, os, pickle, sys
step_dir, step, name, expression = sys.argv[1:5]
data = eval(expression, {"datetime": datetime})
os.makedirs(step_dir, exist_ok=True)
with open(os.path.join(step_dir, "HEAD"), "w") as f:
    f.write("; ".join([datetime.datetime.utcnow().isoformat(timespec="seconds"), "PICKLE", name or "unnamed"]))
with open(os.path.join(step_dir, step + ".PICKLE"), "wb") as f:
    f.write(pickle.dumps(data, pickle.DEFAULT_PROTOCOL))
`;

// argv: step dir, step uuid. Prints the HEAD's parts and repr() of the data, as JSON.
const READER = `
import datetime, json, os, pickle, sys
step_dir, step = sys.argv[1:3]
with open(os.path.join(step_dir, "HEAD")) as f:
    metadata = f.read().split("; ")
if len(metadata) not in (3, 4):
    raise SystemExit("invalid number of elements: %r" % metadata)
timestamp, serialization, name = metadata[-3:]
datetime.datetime.fromisoformat(timestamp)
if serialization not in ("ARROW_TABLE", "ARROW_BATCH", "PICKLE"):
    raise SystemExit("invalid serialization %r" % serialization)
with open(os.path.join(step_dir, step + "." + serialization), "rb") as f:
    data = pickle.load(f)
print(json.dumps({"timestamp": timestamp, "serialization": serialization, "name": name, "repr": repr(data)}))
`;

export function pythonOutput(stepDir: string, step: string, name: string | null, expression: string): void {
  execFileSync(PYTHON, ["-W", "ignore", "-c", WRITER, stepDir, step, name ?? "", expression], { stdio: ["ignore", "ignore", "pipe"] });
}

export function pythonRead(stepDir: string, step: string): { timestamp: string; serialization: string; name: string; repr: string } {
  return JSON.parse(execFileSync(PYTHON, ["-W", "ignore", "-c", READER, stepDir, step], { encoding: "utf8" }));
}
