/**
 * Component names, deployment order and the ownership metadata every
 * synthesized object carries.
 */

/** Orchest's components, in Orchest's order of deployment. */
export const DEPLOY_ORDER = [
  "orchest-database",
  "rabbitmq-server",
  "orchest-api",
  "celery-worker",
  "auth-server",
  "orchest-webserver",
  "buildkit-daemon",
  "node-agent",
] as const;

/** An Orchest component deployed by `synth()`. */
export type OrchestComponentName = (typeof DEPLOY_ORDER)[number];

/**
 * Pseudo-component of the objects every component needs before it starts:
 * volumes, service accounts, RBAC, the registry's TLS Secret and the
 * in-cluster docker-registry (Orchest deployed its registry as a third party,
 * before its own components).
 */
export const SHARED_COMPONENT = "shared";
export const DOCKER_REGISTRY = "docker-registry";

/** Label and annotation keys. */
export const LABELS = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  cluster: "orchest.io/cluster",
  orchestComponent: "orchest.io/component",
  runtime: "orchest.io/container-runtime",
} as const;

export const ANNOTATIONS = {
  /** Deployment wave: the operator applies wave N only once waves < N are ready. */
  deployWave: "orchest.io/deploy-wave",
  /** The same order for Argo CD syncs of `orchest synth` output. */
  argoSyncWave: "argocd.argoproj.io/sync-wave",
  /**
   * On OrchestCluster: a request to restart every component (what `orchest restart` writes). The operator
   * rolls every pod, records the time in `status.restartedAt` and removes the annotation, as Orchest does.
   */
  restart: "orchest.io/restart",
  /** On pod templates: the `status.restartedAt` of the last restart (a new value rolls the pods). */
  restartedAt: "orchest.io/restarted-at",
  /**
   * On OrchestCluster: registries (host[:port], comma or space separated) that builds reach over plain HTTP,
   * such as an internal mirror without TLS. buildkitd is told so; dockerd's own --insecure-registry says it on
   * docker nodes.
   */
  plainHttpRegistries: "orchest.io/plain-http-registries",
  /** On OrchestCluster: the path of the nodes' runtime socket (`orchest install --socket-path`). */
  runtimeSocket: "orchest.io/container-runtime-socket",
  /** On the registry TLS Secret when synth had no certificate: the operator generates and fills it. */
  tlsGenerate: "orchest.io/tls-generate",
  /**
   * On the pod templates that read the registry's TLS Secret: a digest of its certificates. None of them reads
   * the Secret again while running (a subPath mount is never updated), so a new certificate rolls them.
   */
  registryTls: "orchest.io/registry-tls-sha256",
  /** On pod templates of programs that read a config of ours once (buildkitd): a digest of it, so a new one rolls them. */
  configDigest: "orchest.io/config-sha256",
} as const;

/**
 * Labels Orchest's controller put on everything it made, and on its pods. Our pods carry them too, so that
 * what finds Orchest's pods by them (the orchest-cli's `adduser`) still does.
 */
export const ORCHEST_CONTROLLER_LABELS = {
  component: "controller.orchest.io/component",
  owner: "controller.orchest.io/owner",
  partOf: "controller.orchest.io/part-of",
} as const;

/** Orchest's labels of a component's pods (GetResourceMatchLables). */
export function orchestPodLabels(component: string): Record<string, string> {
  return { [ORCHEST_CONTROLLER_LABELS.component]: component, [ORCHEST_CONTROLLER_LABELS.owner]: component, [ORCHEST_CONTROLLER_LABELS.partOf]: PART_OF };
}

/** Value of app.kubernetes.io/part-of. */
export const PART_OF = "orchest";
/** Value of app.kubernetes.io/managed-by. */
export const MANAGED_BY = "orchest-operator";

/** Node label that, when set on a node, says which container runtime it runs. */
export const RUNTIME_NODE_LABEL = LABELS.runtime;

/** Node selector key used to keep DaemonSet pods off every node while paused. */
export const PAUSED_NODE_SELECTOR_KEY = "orchest.io/paused";

/**
 * Wave of a component: 0 for shared prerequisites and the registry, then
 * 1..8 in Orchest's order of deployment.
 */
export function deployWave(component: string): number {
  const i = (DEPLOY_ORDER as readonly string[]).indexOf(component);
  return i < 0 ? 0 : i + 1;
}

/** Labels that select a component's pods (stable: never changes for a given component and cluster). */
export function selectorLabels(cluster: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [LABELS.name]: component,
    [LABELS.instance]: cluster,
    ...extra,
  };
}

/** Ownership labels of every object synthesized for a cluster. */
export function ownershipLabels(cluster: string, component: string): Record<string, string> {
  return {
    [LABELS.name]: component,
    [LABELS.instance]: cluster,
    [LABELS.component]: component,
    [LABELS.partOf]: PART_OF,
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.cluster]: cluster,
    [LABELS.orchestComponent]: component,
  };
}

/** Deploy-order annotations of a component's objects. */
export function waveAnnotations(component: string): Record<string, string> {
  const wave = String(deployWave(component));
  return { [ANNOTATIONS.deployWave]: wave, [ANNOTATIONS.argoSyncWave]: wave };
}
