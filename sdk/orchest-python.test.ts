import test from "ava";
import { join } from "node:path";
import { pythonAvailable, pythonOutput, pythonRead } from "./testing/orchest-python.js";
import { getInputs, output } from "./transfer.js";
import { tempDir } from "../testbed/temp-dir.js";

// Both directions against Python doing what Orchest's Python SDK does (sdk/testing/orchest-python.ts).
const python = pythonAvailable() ? test : test.skip;

python("Orchest's Python SDK reads what output() wrote: HEAD, serialization and every plain value as Python has it", (t) => {
  const data = tempDir(t, "sdk-data");
  const long = "é".repeat(200);
  output(
    {
      text: "Zürich ✓",
      ints: [0, -1, 255, 65536, -2147483648, 2147483648, Number.MAX_SAFE_INTEGER],
      big: 2n ** 70n,
      negative: -(2n ** 70n),
      floats: [2.5, -0.5, 1e300],
      none: null,
      flags: [true, false],
      bytes: new Uint8Array([0, 255]),
      nested: { list: [[1], {}] },
      keys: new Map<unknown, unknown>([[1, "one"]]),
      set: new Set([3]),
      when: new Date(0),
      long,
    },
    "mixed",
    { dataDir: data, stepUuid: "js-step" },
  );
  const read = pythonRead(join(data, "js-step"), "js-step");
  t.like(read, { serialization: "PICKLE", name: "mixed" });
  t.is(
    read.repr,
    "{'text': 'Zürich ✓', 'ints': [0, -1, 255, 65536, -2147483648, 2147483648, 9007199254740991], 'big': 1180591620717411303424, " +
      "'negative': -1180591620717411303424, 'floats': [2.5, -0.5, 1e+300], 'none': None, 'flags': [True, False], 'bytes': b'\\x00\\xff', " +
      `'nested': {'list': [[1], {}]}, 'keys': {1: 'one'}, 'set': {3}, 'when': '1970-01-01T00:00:00.000Z', 'long': '${long}'}`,
  );
  output(null, null, { dataDir: data, stepUuid: "js-step" });
  t.like(pythonRead(join(data, "js-step"), "js-step"), { name: "unnamed", repr: "None" });
});

python("getInputs() reads what Orchest's Python SDK wrote, named and unnamed, shared references kept", (t) => {
  const data = tempDir(t, "sdk-data");
  pythonOutput(
    join(data, "py-a"),
    "py-a",
    "values",
    `{"text": "Zürich ✓", "ints": [0, -1, 255, 65536, -2**31, 2**31, 2**53 - 1], "big": 2**70, "negative": -2**70, "float": 2.5,
      "none": None, "flags": (True, False), "bytes": b"\\x00\\xff", "set": {3}, "frozen": frozenset([4]),
      "keys": {1: "one"}, "long": "é" * 200, "shared": [[1]] * 2, "empty": ((), [], {})}`,
  );
  pythonOutput(join(data, "py-b"), "py-b", null, `"no name"`);
  const inputs = getInputs({ dataDir: data, parents: ["py-a", "py-b"] }) as { unnamed: unknown[]; values: Record<string, unknown> };
  t.deepEqual(inputs.unnamed, ["no name"]);
  t.deepEqual(inputs.values, {
    text: "Zürich ✓",
    ints: [0, -1, 255, 65536, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER],
    big: 2n ** 70n,
    negative: -(2n ** 70n),
    float: 2.5,
    none: null,
    flags: [true, false],
    bytes: new Uint8Array([0, 255]),
    set: new Set([3]),
    frozen: new Set([4]),
    keys: new Map([[1, "one"]]),
    long: "é".repeat(200),
    shared: [[1], [1]],
    empty: [[], [], {}],
  });
  const shared = inputs.values.shared as unknown[];
  t.is(shared[0], shared[1], "one list pickled twice (memo) is one array");
});

python("a pickled Python object is refused with an error that names its class and the step", (t) => {
  const data = tempDir(t, "sdk-data");
  pythonOutput(join(data, "py"), "py", "day", `datetime.date(2024, 5, 1)`);
  t.throws(() => getInputs({ dataDir: data, parents: ["py"] }), { message: /py\.PICKLE.*datetime\.date.*plain data/s });
});
