import test from "ava";
import type { OrchestCluster } from "../../crds/types/index.js";
import { kubectl } from "../../cli/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { synth, toYaml, type Manifest } from "../index.js";
import { OPERATOR_NAME, operatorClusterRules, operatorManifests, rulesOf } from "./index.js";

type Obj = Record<string, any>;
const find = (ms: Manifest[], kind: string): Obj => ms.find((m) => m.kind === kind) as Obj;
const cluster = (namespace: string, spec: OrchestCluster["spec"] = {}): OrchestCluster => ({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "c1", namespace }, spec });

test("the ClusterRole holds every permission the Roles of synth() grant, so the operator may create them", (t) => {
  const held = new Set(operatorClusterRules().flatMap((r) => r.verbs.map((v) => `${r.apiGroup}/${r.resource}/${v}`)));
  const facts = { nodes: [{ name: "a", runtime: "docker" as const }, { name: "b", runtime: "containerd" as const }] };
  for (const spec of [{}, { singleNode: true, orchest: { orchestHost: "orchest.example.com" } }]) {
    for (const r of rulesOf(synth(cluster("orchest", spec), facts))) {
      for (const v of r.verbs) t.true(held.has(`${r.apiGroup}/${r.resource}/${v}`), `${v} ${r.apiGroup}/${r.resource}`);
    }
  }
});

test("the ClusterRole covers what the reconciler manages and nothing like a wildcard or escalate", (t) => {
  const rules = operatorClusterRules();
  const verbs = (group: string, resource: string) => rules.find((r) => r.apiGroup === group && r.resource === resource)?.verbs ?? [];
  t.deepEqual(verbs("orchest.io", "orchestclusters/status"), ["get", "update", "patch"]);
  t.deepEqual(verbs("orchest.io", "orchestclusters/finalizers"), ["update"]);
  t.deepEqual(verbs("", "nodes"), ["get", "list", "watch"]);
  for (const [group, resource] of [["apps", "daemonsets"], ["rbac.authorization.k8s.io", "clusterrolebindings"], ["networking.k8s.io", "ingresses"], ["", "serviceaccounts"]]) {
    t.true(verbs(group!, resource!).includes("delete"), `${group}/${resource}`);
  }
  t.false(rules.some((r) => r.resource === "*" || r.verbs.some((v) => v === "*" || v === "escalate" || v === "bind" || v === "impersonate")));
  const role = find(operatorManifests(), "Role");
  t.deepEqual(role.rules, [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch"] }]);
});

test("runs with leader election, probes on /healthz and /readyz, and a metrics Service selecting its pods", (t) => {
  const ms = operatorManifests({ replicas: 2 });
  const deployment = find(ms, "Deployment");
  const container = deployment.spec.template.spec.containers[0];
  t.is(deployment.spec.replicas, 2);
  t.true(container.args.includes("--leader-elect=true"));
  t.is(container.livenessProbe.httpGet.path, "/healthz");
  t.is(container.readinessProbe.httpGet.path, "/readyz");
  t.is(deployment.spec.template.spec.serviceAccountName, OPERATOR_NAME);
  const service = find(ms, "Service");
  t.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
  t.is(service.spec.ports[0].targetPort, container.ports[0].containerPort);
});

test("refuses two replicas without leader election", (t) => {
  t.throws(() => operatorManifests({ replicas: 2, leaderElection: false }), { message: /needs leaderElection: true/ });
});

test("emits the Namespace only when asked", (t) => {
  t.truthy(find(operatorManifests(), "Namespace"));
  t.false(operatorManifests({ createNamespace: false }).some((m) => m.kind === "Namespace"));
});

test("the operator's ServiceAccount may create every object synth emits (API server authorization, dry run)", async (t) => {
  const tb = await useTestbed();
  const operatorNamespace = await createTestNamespace(tb.kubeConfig, "operator-rbac");
  // Own copies of the cluster-scoped objects, so tests that install the real operator are not disturbed.
  const objects = operatorManifests({ namespace: operatorNamespace, createNamespace: false }).map((m) => structuredClone(m) as Obj);
  for (const o of objects.filter((o) => o["kind"].startsWith("Cluster"))) o["metadata"].name = operatorNamespace;
  find(objects as Manifest[], "ClusterRoleBinding").roleRef.name = operatorNamespace;
  await kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  const namespace = await createTestNamespace(tb.kubeConfig, "operator-rbac-target");
  const facts = { nodes: [{ name: "a", runtime: "docker" as const }, { name: "b", runtime: "containerd" as const }] };
  const manifests = synth(cluster(namespace, { orchest: { orchestHost: "orchest.example.com" } }), facts);
  // Bindings are checked against the roles they bind, which a dry run does not create: create the roles first.
  await kubectl(["apply", "-f", "-"], toYaml(manifests.filter((m) => m.kind === "Role" || m.kind === "ClusterRole")));
  const as = `system:serviceaccount:${operatorNamespace}:${OPERATOR_NAME}`;
  const out = await kubectl(["apply", "--dry-run=server", "--as", as, "-f", "-"], toYaml(manifests));
  t.is(out.trim().split("\n").length, manifests.length);
});
