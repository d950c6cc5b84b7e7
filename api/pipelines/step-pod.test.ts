import test from "ava";
import type { PipelineRun } from "../../crds/types/index.js";
import { stepPod } from "./step-pod.js";

const run = (userdir?: PipelineRun["spec"]["userdir"]): PipelineRun => ({
  apiVersion: "orchest.io/v1alpha1",
  kind: "PipelineRun",
  metadata: { name: "r", namespace: "orchest", uid: "u-1" },
  spec: {
    mode: "Interactive",
    project: "p-1",
    pipeline: { uuid: "pl-1", path: "pipelines/main.orchest" },
    steps: [{ uuid: "load", image: "env:1", command: ["node", "load.mjs"] }],
    ...(userdir ? { userdir } : {}),
  },
});
const specOf = (r: PipelineRun) => stepPod(r, r.spec.steps[0]!, { nodes: [] }).spec as any;

test("with spec.userdir a step mounts Orchest's paths from it: /data, /project-dir (its working directory) and /pipeline.json", (t) => {
  const spec = specOf(run({ claimName: "userdir-pvc", projectDir: "projects/churn/" }));
  t.deepEqual(spec.volumes, [{ name: "userdir", persistentVolumeClaim: { claimName: "userdir-pvc" } }]);
  const container = spec.containers[0];
  t.deepEqual(container.volumeMounts, [
    { name: "userdir", mountPath: "/data", subPath: "data" },
    { name: "userdir", mountPath: "/project-dir", subPath: "projects/churn/" },
    { name: "userdir", mountPath: "/pipeline.json", subPath: "projects/churn/pipelines/main.orchest" },
  ]);
  t.is(container.workingDir, "/project-dir");
  const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
  t.is(env["ORCHEST_PIPELINE_PATH"], "/pipeline.json", "the SDK reads the pipeline file where it is mounted");
  t.deepEqual(spec.securityContext, { runAsUser: 0 }, "step code runs as root, as in Orchest");
});

test("without spec.userdir a step gets no volume, and ORCHEST_PIPELINE_PATH is the path in the project", (t) => {
  const spec = specOf(run());
  t.is(spec.volumes, undefined);
  t.is(spec.containers[0].volumeMounts, undefined);
  t.is(spec.containers[0].workingDir, undefined);
  t.is((spec.containers[0].env as { name: string; value: string }[]).find((e) => e.name === "ORCHEST_PIPELINE_PATH")?.value, "pipelines/main.orchest");
});
