/**
 * synth(): an OrchestCluster plus detected facts in, every manifest of the
 * platform out. Pure and deterministic: the same input gives the same
 * objects, in the same order, and byte-identical YAML.
 */
import { App } from "cdk8s";
import YAML from "yaml";
import type { OrchestCluster } from "../crds/types/index.js";
import { OrchestChart } from "./chart.js";
import { resolveContext, type ClusterFacts, type SynthOptions } from "./context.js";
import { ANNOTATIONS, LABELS } from "./labels.js";

export * from "./context.js";
export * from "./env.js";
export * from "./images.js";
export * from "./labels.js";
export * from "./project-images.js";
export { OrchestChart, type OrchestChartProps } from "./chart.js";
// The chart's components, for apps that reach into them (e.g. add a patch to one Deployment).
export { AuthServer, type AuthServerProps } from "./auth-server.js";
export { BuildkitDaemon, type BuildkitDaemonProps } from "./buildkit-daemon.js";
export { CeleryWorker, type CeleryWorkerProps } from "./celery-worker.js";
export { DockerRegistry, type DockerRegistryProps } from "./docker-registry.js";
export { NodeAgent, type NodeAgentProps } from "./node-agent.js";
export { OrchestApi, type OrchestApiProps } from "./orchest-api.js";
export { OrchestDatabase } from "./orchest-database.js";
export { OrchestVolumes, type OrchestVolumesProps } from "./volumes.js";
export { OrchestWebserver, type OrchestWebserverProps } from "./orchest-webserver.js";
export { RabbitmqServer } from "./rabbitmq-server.js";
export type { StatefulComponentProps } from "./stateful-component.js";
export type { WebComponentProps } from "./web-component.js";

/** A synthesized Kubernetes object (plain JSON). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** Order of kinds within a wave: what others depend on first. */
const KIND_ORDER = [
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "Service",
  "StatefulSet",
  "Deployment",
  "DaemonSet",
  "Ingress",
  // One-shot tasks of a wave, run once its workloads are ready (see the operator's rollout).
  "Pod",
];

/** Deploy wave of a synthesized object (its `orchest.io/deploy-wave` annotation). */
export function waveOf(m: Manifest): number {
  return Number(m.metadata.annotations?.[ANNOTATIONS.deployWave] ?? "0");
}

/** Component of a synthesized object (its `orchest.io/component` label). */
export function componentOf(m: Manifest): string | undefined {
  return m.metadata.labels?.[LABELS.orchestComponent];
}

function compare(a: Manifest, b: Manifest): number {
  const w = waveOf(a) - waveOf(b);
  if (w !== 0) return w;
  const ka = KIND_ORDER.indexOf(a.kind);
  const kb = KIND_ORDER.indexOf(b.kind);
  const k = (ka < 0 ? KIND_ORDER.length : ka) - (kb < 0 ? KIND_ORDER.length : kb);
  if (k !== 0) return k;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/**
 * Every manifest of the cluster, sorted by deploy wave (shared objects and the
 * registry first, then Orchest's components in Orchest's order), then by kind
 * (service accounts and RBAC before workloads), then by name.
 */
export function synth(cluster: OrchestCluster, facts: ClusterFacts, options: SynthOptions = {}): Manifest[] {
  const context = resolveContext(cluster, facts, options);
  const app = new App({ outdir: "/dev/null" });
  new OrchestChart(app, "orchest", { context });
  const objects = app.charts.flatMap((c) => c.toJson()) as Manifest[];
  return objects.sort(compare);
}

/** Multi-document YAML of manifests, in the given order. */
export function toYaml(manifests: readonly Manifest[]): string {
  return manifests.map((m) => YAML.stringify(m, { lineWidth: 0, sortMapEntries: false })).join("---\n");
}
