import test from "ava";
import type { ImageBuild } from "../../crds/types/index.js";
import { transitionEventId } from "../events/index.js";
import { buildEvent } from "./build-event.js";

const UID = "9d2c4e1a-7b3f-4c8d-a1e2-3f4a5b6c7d8e";
const build = (spec: Partial<ImageBuild["spec"]> = {}): ImageBuild => ({
  metadata: { name: "b", namespace: "n", uid: UID, creationTimestamp: "2024-05-01T10:00:00Z" },
  spec: {
    image: "registry.example/orchest-env-secret:7",
    purpose: "Environment",
    project: "p-1",
    projectName: "secret project",
    environment: "e-1",
    environmentName: "secret environment",
    baseImage: "registry.example/secret/base:1",
    context: { configMap: { name: "ctx" } },
    ...spec,
  },
  status: { phase: "Failed", startTime: "2024-05-01T10:00:02Z", completionTime: "2024-05-01T10:00:30Z" },
});

test("an environment's build emits project:environment:image-build events with the image tag; a JupyterServer build, jupyter:image-build", (t) => {
  const failed = buildEvent(build(), "failed")!;
  t.is(failed.type, "project:environment:image-build:failed");
  t.like(failed.notificationPayload(), { project: { uuid: "p-1", name: "secret project", environment: { uuid: "e-1", name: "secret environment", image_build: { image_tag: 7, status: "FAILURE" } } } });
  t.is(buildEvent(build({ purpose: "JupyterServer" }), "started")!.type, "jupyter:image-build:started");
});

test("a build of no project and environment emits nothing: there is nobody to tell", (t) => {
  const { project: _p, environment: _e, ...spec } = build().spec;
  t.is(buildEvent({ ...build(), spec }, "created"), undefined);
});

test("a build event's id and time are the same whenever it is built, and telemetry carries no name or image", (t) => {
  t.is(buildEvent(build(), "succeeded")!.id, transitionEventId(UID, "succeeded"));
  t.is(buildEvent(build(), "created")!.timestamp.toISOString(), "2024-05-01T10:00:00.000Z");
  t.is(buildEvent(build(), "started")!.timestamp.toISOString(), "2024-05-01T10:00:02.000Z");
  const telemetry = JSON.stringify(buildEvent(build(), "failed")!.telemetryPayload());
  t.false(telemetry.includes("secret"), telemetry);
});
