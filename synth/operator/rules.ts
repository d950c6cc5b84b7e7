/**
 * The operator's permissions, least privilege: what an OrchestCluster
 * reconciler manages, plus every permission the Roles it synthesizes grant
 * (Kubernetes lets a subject grant only what it holds itself, unless it has
 * the broader `escalate` verb, which the operator does not get).
 */
import type { OrchestCluster } from "../../crds/types/index.js";
import { synth, type Manifest } from "../index.js";

/** One RBAC rule on one resource (a ClusterRole renders one rule per resource). */
export interface ResourceRule {
  /** API group; "" is the core group. */
  readonly apiGroup: string;
  /** Resource or subresource, e.g. `deployments` or `orchestclusters/status`. */
  readonly resource: string;
  readonly verbs: readonly string[];
}

/** Verbs in the order RBAC documentation lists them (output is canonical). */
const VERB_ORDER = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const READ = ["get", "list", "watch"];
const MANAGE = [...READ, "create", "update", "patch", "delete"];
const RECORD = ["create", "update", "patch"];

const each = (apiGroup: string, resources: readonly string[], verbs: readonly string[]): ResourceRule[] =>
  resources.map((resource) => ({ apiGroup, resource, verbs }));

/** What the reconciler itself reads and writes, cluster-wide. */
export const MANAGED_RULES: readonly ResourceRule[] = [
  ...each("orchest.io", ["orchestclusters"], [...READ, "update", "patch"]),
  ...each("orchest.io", ["orchestclusters/status"], ["get", "update", "patch"]),
  ...each("orchest.io", ["orchestclusters/finalizers"], ["update"]),
  ...each("", ["services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], MANAGE),
  ...each("apps", ["deployments", "statefulsets", "daemonsets"], MANAGE),
  ...each("rbac.authorization.k8s.io", ["roles", "rolebindings", "clusterroles", "clusterrolebindings"], MANAGE),
  ...each("networking.k8s.io", ["ingresses"], MANAGE),
  // The ingress-nginx IngressClass the Ingresses name, found by its controller as Orchest finds it.
  ...each("networking.k8s.io", ["ingressclasses"], READ),
  ...each("", ["nodes"], READ),
  ...each("", ["events"], RECORD),
  ...each("events.k8s.io", ["events"], RECORD),
];

/** Leader election, granted only in the operator's own namespace. */
export const LEASE_RULES: readonly ResourceRule[] = each("coordination.k8s.io", ["leases"], [...READ, "create", "update", "patch"]);

/**
 * A cluster that makes synth() emit every Role and ClusterRole it can: mixed
 * runtimes (node-agent and buildkit per runtime) and an Ingress host.
 */
const EVERY_ROLE_CLUSTER: OrchestCluster = {
  apiVersion: "orchest.io/v1alpha1",
  kind: "OrchestCluster",
  metadata: { name: "rbac", namespace: "orchest" },
  spec: { orchest: { orchestHost: "orchest.example.com" } },
};

interface RawRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
}

/** The rules of every Role and ClusterRole in `manifests`, one per (group, resource). */
export function rulesOf(manifests: readonly Manifest[]): ResourceRule[] {
  return manifests
    .filter((m) => m.kind === "Role" || m.kind === "ClusterRole")
    .flatMap((m) => (m["rules"] as RawRule[] | undefined) ?? [])
    .flatMap((r) => (r.apiGroups ?? []).flatMap((g) => each(g, r.resources ?? [], r.verbs ?? [])));
}

/** What Orchest's components are granted by the Roles synth() emits: the operator must hold it to create them. */
export function delegatedRules(): ResourceRule[] {
  const facts = { nodes: [{ name: "docker", runtime: "docker" as const }, { name: "containerd", runtime: "containerd" as const }] };
  return rulesOf(synth(EVERY_ROLE_CLUSTER, facts));
}

/** Rules merged per (group, resource), verbs united, sorted by group then resource. */
export function mergeRules(...sets: readonly (readonly ResourceRule[])[]): ResourceRule[] {
  const byKey = new Map<string, { apiGroup: string; resource: string; verbs: Set<string> }>();
  for (const rule of sets.flat()) {
    const key = `${rule.apiGroup}/${rule.resource}`;
    const entry = byKey.get(key) ?? { apiGroup: rule.apiGroup, resource: rule.resource, verbs: new Set<string>() };
    for (const verb of rule.verbs) entry.verbs.add(verb);
    byKey.set(key, entry);
  }
  const rank = (verb: string) => (VERB_ORDER.includes(verb) ? VERB_ORDER.indexOf(verb) : VERB_ORDER.length);
  return [...byKey.values()]
    .map((e) => ({ apiGroup: e.apiGroup, resource: e.resource, verbs: [...e.verbs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)) }))
    .sort((a, b) => a.apiGroup.localeCompare(b.apiGroup) || a.resource.localeCompare(b.resource));
}

/** The operator's cluster-wide rules: what it manages plus what it delegates. */
export function operatorClusterRules(): ResourceRule[] {
  return mergeRules(MANAGED_RULES, delegatedRules());
}
