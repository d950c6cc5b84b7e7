import test from "ava";
import { setCondition } from "./conditions.js";

test("a condition's transition time moves only when its status flips", (t) => {
  const t0 = new Date("2025-01-01T00:00:00Z");
  const t1 = new Date("2025-01-01T00:05:00Z");
  const ready = setCondition([], { type: "Ready", status: "False", reason: "Progressing", message: "rolling out", observedGeneration: 1 }, t0);
  const again = setCondition(ready, { type: "Ready", status: "False", reason: "Progressing", message: "3/5 ready", observedGeneration: 2 }, t1);
  t.is(again[0]!.lastTransitionTime, "2025-01-01T00:00:00Z");
  t.is(again[0]!.message, "3/5 ready");
  const flipped = setCondition(again, { type: "Ready", status: "True", reason: "Available", message: "", observedGeneration: 2 }, t1);
  t.is(flipped[0]!.lastTransitionTime, "2025-01-01T00:05:00Z");
  t.is(flipped.length, 1);
});
