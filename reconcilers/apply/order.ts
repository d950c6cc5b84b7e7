import type { KubeObject } from "../client/object.js";

// Within a wave, kinds that others depend on go first (Helm's install order, shortened).
const KIND_ORDER = [
  "PriorityClass",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicaSet",
  "Deployment",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind);
  return rank < 0 ? KIND_ORDER.length : rank;
}

/** Definitions come before everything, because everything else may be an instance of them or live in them. */
function phase(obj: KubeObject): number {
  if (obj.kind === "CustomResourceDefinition") return 0;
  if (obj.kind === "Namespace") return 1;
  return 2;
}

export function waveOf(obj: KubeObject, waveAnnotation: string): number {
  const wave = Number(obj.metadata.annotations?.[waveAnnotation] ?? 0);
  return Number.isFinite(wave) ? wave : 0;
}

/**
 * Objects in apply order, grouped in stages that can be applied concurrently: CRDs, then Namespaces, then
 * each wave (annotation, ascending); within a stage a stable order by kind, namespace and name.
 */
export function applyStages<T extends KubeObject>(objects: readonly T[], waveAnnotation: string): T[][] {
  const keyed = objects.map((obj) => ({
    obj,
    stage: [phase(obj), phase(obj) < 2 ? 0 : waveOf(obj, waveAnnotation)] as const,
    tie: [kindRank(obj.kind), obj.kind, obj.metadata.namespace ?? "", obj.metadata.name ?? ""] as const,
  }));
  keyed.sort((a, b) => compareTuples([...a.stage, ...a.tie], [...b.stage, ...b.tie]));
  const stages: T[][] = [];
  let previous: readonly number[] | undefined;
  for (const { obj, stage } of keyed) {
    if (!previous || compareTuples(previous, stage) !== 0) stages.push([]);
    stages[stages.length - 1]!.push(obj);
    previous = stage;
  }
  return stages;
}

function compareTuples(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
