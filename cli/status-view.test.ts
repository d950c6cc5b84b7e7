import test from "ava";
import type { OrchestCluster } from "../crds/types/index.js";
import { age, clusterDetails, clusterTable, isReady, progressLine } from "./status-view.js";

const now = new Date("2025-01-01T12:00:00Z");
const cluster = (status: OrchestCluster["status"], generation = 1): OrchestCluster => ({
  metadata: { name: "cluster-1", namespace: "orchest", generation, creationTimestamp: "2025-01-01T11:00:00Z" },
  spec: { orchest: { version: "v2022.11.0" } },
  status,
});
const ready = { type: "Ready", status: "True" as const, reason: "AllComponentsReady", message: "", lastTransitionTime: "2025-01-01T11:59:00Z" };

test("ages read like kubectl's", (t) => {
  t.deepEqual(
    ["2025-01-01T11:59:18Z", "2025-01-01T11:10:00Z", "2024-12-31T20:00:00Z", "2024-12-20T12:00:00Z"].map((ts) => age(ts, now)),
    ["42s", "50m", "16h", "12d"],
  );
});

test("the table has NAME, PHASE, VERSION, READY, AGE and shows an update under way", (t) => {
  const table = clusterTable([cluster({ phase: "Updating", version: "v2022.10.5", components: [{ name: "a", ready: true }, { name: "b" }] })], now, false);
  const [header, row] = table.trimEnd().split("\n");
  t.deepEqual(header!.split(/\s+/), ["NAME", "PHASE", "VERSION", "READY", "AGE"]);
  t.deepEqual(row!.split(/\s+/), ["cluster-1", "Updating", "v2022.10.5", "->", "v2022.11.0", "1/2", "60m"]);
});

test("a Ready condition from an older generation is not Ready", (t) => {
  t.true(isReady(cluster({ observedGeneration: 2, conditions: [ready] }, 2)));
  t.false(isReady(cluster({ observedGeneration: 1, conditions: [ready] }, 2)));
});

test("progress names the component waited for, and a Degraded reason first", (t) => {
  const components = [{ name: "orchest-database", ready: true }, { name: "orchest-api", ready: false, message: "0/1 pods ready" }];
  t.is(progressLine(cluster({ phase: "Deploying", components })), "Deploying, 1/2 components ready, waiting for orchest-api (0/1 pods ready)");
  const degraded = { ...ready, type: "Degraded", reason: "ImagePullFailed", message: "orchest-api: image not found" };
  t.is(progressLine(cluster({ phase: "Degraded", components, conditions: [degraded] })), "Degraded, 1/2 components ready, degraded: ImagePullFailed orchest-api: image not found");
});

test("details list each component's pods and image, and each condition", (t) => {
  const text = clusterDetails(cluster({ components: [{ name: "orchest-api", kind: "Deployment", ready: true, desiredReplicas: 1, readyReplicas: 1, image: "docker.io/orchest/orchest-api:v2022.10.5" }], conditions: [ready] }), now);
  t.regex(text, /orchest-api\s+Deployment\s+yes\s+1\/1\s+docker\.io\/orchest\/orchest-api:v2022\.10\.5/);
  t.regex(text, /Ready\s+True\s+AllComponentsReady\s+60s/);
  t.regex(clusterDetails(cluster(undefined), now), /No status yet/);
});
