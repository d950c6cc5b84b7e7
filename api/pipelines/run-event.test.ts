import test from "ava";
import type { PipelineRun } from "../../crds/types/index.js";
import { runEvent } from "./run-event.js";
import { transitionEventId, transitionsBetween } from "../events/index.js";

const run = (job?: PipelineRun["spec"]["job"]): PipelineRun => ({
  metadata: { name: "r", namespace: "n", uid: "3b1f7c0e-2a4d-4e8b-9c61-0d5e7f8a9b10", creationTimestamp: "2024-05-01T10:00:00Z" },
  spec: {
    mode: job ? "Job" : "Interactive",
    project: "p-1",
    projectName: "secret project",
    pipeline: { uuid: "pl-1", path: "secret/path.orchest", name: "secret pipeline" },
    ...(job ? { job } : {}),
    steps: [{ uuid: "a", title: "secret step", image: "img" }, { uuid: "b", image: "img", dependsOn: ["a"] }],
  },
  status: { phase: "Failed", reason: "StepFailed", startTime: "2024-05-01T10:00:01Z", completionTime: "2024-05-01T10:00:09Z", steps: [{ uuid: "a", phase: "Failed" }, { uuid: "b", phase: "Skipped" }] },
});

test("the kind of run chooses the family of event types", (t) => {
  t.is(runEvent(run(), "failed").type, "project:pipeline:interactive-session:pipeline-run:failed");
  t.is(runEvent(run({ uuid: "j-1", type: "OneOff" }), "started").type, "project:one-off-job:pipeline-run:started");
  t.is(runEvent(run({ uuid: "j-1", type: "Cron" }), "cancelled").type, "project:cron-job:run:pipeline-run:cancelled");
  t.deepEqual(runEvent(run({ uuid: "j-1", type: "Cron" }), "created").scope, { projectUuid: "p-1", jobUuid: "j-1" });
});

test("an event's id and time are the same whenever it is built: a UUID of (run uid, transition)", (t) => {
  const event = runEvent(run(), "failed");
  t.is(event.id, runEvent(run(), "failed").id);
  t.is(event.id, transitionEventId("3b1f7c0e-2a4d-4e8b-9c61-0d5e7f8a9b10", "failed"));
  t.regex(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.not(event.id, transitionEventId("3b1f7c0e-2a4d-4e8b-9c61-0d5e7f8a9b10", "started"));
  t.is(event.timestamp.toISOString(), "2024-05-01T10:00:09.000Z");
  t.is(runEvent(run(), "created").timestamp.toISOString(), "2024-05-01T10:00:00.000Z");
});

test("the run part carries the step outcomes; telemetry carries no name, title or path", (t) => {
  for (const job of [undefined, { uuid: "j-1", name: "secret job", type: "OneOff" as const }, { uuid: "j-1", name: "secret job", type: "Cron" as const }]) {
    const event = runEvent(run(job), "failed");
    t.regex(JSON.stringify(event.notificationPayload()), /"failed_steps":\[\{"uuid":"a","title":"secret step"\}\]/);
    t.false(JSON.stringify(event.telemetryPayload()).includes("secret"));
  }
});

test("transitions come in the order they happened, several at once when seen together", (t) => {
  t.deepEqual(transitionsBetween({}, { phase: "Running", startTime: "t" }), ["created", "started"]);
  t.deepEqual(transitionsBetween({ phase: "Pending" }, { phase: "Succeeded", startTime: "t" }), ["started", "succeeded"]);
  t.deepEqual(transitionsBetween({ phase: "Running", startTime: "t" }, { phase: "Running", startTime: "t" }), []);
  t.deepEqual(transitionsBetween({ phase: "Running", startTime: "t" }, { phase: "Cancelled", startTime: "t" }), ["cancelled"]);
  t.deepEqual(transitionsBetween({}, { phase: "Failed" }), ["created", "failed"]);
});
