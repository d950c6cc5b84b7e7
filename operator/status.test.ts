// status.state in the names of Orchest's controller (OrchestPhase in pkg/apis/orchest/v1alpha1/types.go),
// which Orchest's orchest-cli parses with ClusterStatus(status["state"]) and waits on.
import test from "ava";
import type { OrchestCluster, OrchestClusterStatus } from "../crds/types/index.js";
import { clusterStatus, stateOf, type OrchestState, type Outcome, type StatusInput } from "./status.js";

const input = (outcome: Outcome, opts: { paused?: boolean; restarting?: boolean } = {}, status?: OrchestClusterStatus): StatusInput => ({
  cluster: { metadata: { name: "c", namespace: "n", generation: 2 }, spec: { orchest: { ...(opts.paused ? { pause: true } : {}) } }, ...(status ? { status } : {}) } as OrchestCluster,
  desired: [],
  live: () => undefined,
  facts: { nodes: [] },
  outcome,
  inventory: [],
  ...(opts.restarting ? { restarting: true } : {}),
});
const waiting = (component: string): Outcome => ({ kind: "waiting", component, message: "1/1 updated, 0/1 ready" });
const running: OrchestClusterStatus = { state: "Running", version: "v2022.10.5" };

// [what happens, outcome, options, previous status, Orchest's state]
const cases: [string, Outcome, { paused?: boolean; restarting?: boolean }, OrchestClusterStatus | undefined, OrchestState][] = [
  ["a new cluster waits on the registry", waiting("docker-registry"), {}, undefined, "Deploying Third Parties"],
  ["a new cluster waits on its claims", waiting("shared"), {}, undefined, "Deploying Third Parties"],
  ["a new cluster waits on the database", waiting("orchest-database"), {}, undefined, "Deploying Orchest Control Plane"],
  ["a new cluster is rolled out", { kind: "rolledOut" }, {}, undefined, "Running"],
  ["a version update rolls", waiting("orchest-api"), {}, running, "Updating"],
  ["a restart is asked for", waiting("orchest-database"), { restarting: true }, running, "Restarting"],
  ["a restart rolls on", waiting("orchest-webserver"), {}, { ...running, state: "Restarting" }, "Restarting"],
  ["a restart is done", { kind: "rolledOut" }, {}, { ...running, state: "Restarting" }, "Running"],
  ["a pause scales down", waiting("node-agent"), { paused: true }, running, "Stopping"],
  ["a pause is done", { kind: "rolledOut" }, { paused: true }, { ...running, state: "Stopping" }, "Stopped"],
  ["a resume starts", waiting("orchest-database"), {}, { ...running, state: "Stopped" }, "Starting"],
  ["a resume goes on", waiting("orchest-api"), {}, { ...running, state: "Starting" }, "Starting"],
  ["a resume is done", { kind: "rolledOut" }, {}, { ...running, state: "Starting" }, "Running"],
  ["the spec cannot be rendered", { kind: "invalid", message: "x" }, {}, running, "Error"],
  ["applying fails", { kind: "failed", reason: "ApplyFailed", message: "x" }, {}, running, "Error"],
  ["the cluster is deleted", { kind: "deleting", message: "x" }, {}, running, "Deleting"],
];
for (const [what, outcome, opts, previous, state] of cases) {
  test(`status.state is "${state}" when ${what}`, (t) => {
    t.is(stateOf(input(outcome, opts, previous), previous), state);
    t.is(clusterStatus(input(outcome, opts, previous)).state, state);
  });
}

test("drops the conditions of Orchest's controller, which are not Kubernetes conditions", (t) => {
  const orchest = { state: "Running", conditions: [{ event: "Deploying orchest-api", lastHeartbeatTime: "2022-10-01T00:00:00Z", lastTransitionTime: "2022-10-01T00:00:00Z" }] } as unknown as OrchestClusterStatus;
  const status = clusterStatus(input({ kind: "rolledOut" }, {}, orchest));
  t.deepEqual(status.conditions!.map((c) => c.type), ["Ready", "Progressing", "Degraded"]);
});

test("keeps the time of the last restart", (t) => {
  t.is(clusterStatus(input({ kind: "rolledOut" }, {}, { ...running, restartedAt: "2026-01-01T00:00:00Z" })).restartedAt, "2026-01-01T00:00:00Z");
});
