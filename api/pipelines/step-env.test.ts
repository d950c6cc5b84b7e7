import test from "ava";
import { stepEnv } from "./step-env.js";

const id = { project: "p", pipeline: { uuid: "pl", path: "a.orchest" }, step: "s" };

test("user variables come first and Orchest's last, winning on a clash", (t) => {
  const env = stepEnv([{ name: "A", value: "1" }, { name: "ORCHEST_PROJECT_UUID", value: "mine" }, { name: "EMPTY" }], id);
  t.deepEqual(env, [
    { name: "A", value: "1" },
    { name: "EMPTY", value: "" },
    { name: "ORCHEST_PROJECT_UUID", value: "p" },
    { name: "ORCHEST_PIPELINE_UUID", value: "pl" },
    { name: "ORCHEST_PIPELINE_PATH", value: "a.orchest" },
    { name: "ORCHEST_STEP_UUID", value: "s" },
  ]);
});

test("only an interactive Jupyter kernel gets ORCHEST_PROJECT_DIR", (t) => {
  t.deepEqual(stepEnv([], id, { kind: "jupyter-kernel", projectDir: "/project-dir" }).at(-1), { name: "ORCHEST_PROJECT_DIR", value: "/project-dir" });
  t.false(stepEnv([], id).some((v) => v.name === "ORCHEST_PROJECT_DIR"));
});
