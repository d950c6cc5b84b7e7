/**
 * Resolves an OrchestCluster plus detected facts into the values every
 * component construct uses: names, namespace, version, images, environment,
 * volumes, node selection and the container-runtime groups of the nodes.
 *
 * Every default lives here, is documented, and is applied only to the
 * synthesized manifests: nothing is ever written back into `.spec`.
 */
import { createHash } from "node:crypto";
import type { EnvVar, OrchestCluster, OrchestComponentTemplate } from "../crds/types/index.js";
import { assertValid } from "../crds/validation.js";
import { defaultImage, resolveImage } from "./images.js";
import { DOCKER_REGISTRY, PAUSED_NODE_SELECTOR_KEY, type OrchestComponentName } from "./labels.js";

/** A node's container runtime. */
export type ContainerRuntime = "containerd" | "docker";

/** What the operator knows about one node. */
export interface NodeFacts {
  /** Node name (`metadata.name`). */
  readonly name: string;
  /** Container runtime detected from `status.nodeInfo.containerRuntimeVersion`. */
  readonly runtime: ContainerRuntime;
  /** Node labels, used to honour `spec.workerNodeSelector`. Unknown labels: the node is assumed to match. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Path of the runtime's socket on the node, when an annotation overrides it.
   * @default /run/containerd/containerd.sock for containerd, /var/run/docker.sock for docker
   */
  readonly socketPath?: string;
}

/** TLS material of the in-cluster registry (PEM). */
export interface RegistryTls {
  readonly certificate: string;
  readonly privateKey: string;
  /** CA that signed `certificate`; nodes trust it to pull from the registry. @default the certificate itself */
  readonly caCertificate?: string;
}

/** What the operator knows about the in-cluster registry. */
export interface RegistryFacts {
  /** ClusterIP of the docker-registry Service; pinned in the Service so that certificates and node trust stay valid. */
  readonly clusterIP?: string;
  /** Certificate of the registry. When absent the TLS Secret is emitted without data and annotated for the operator to fill. */
  readonly tls?: RegistryTls;
}

/** Facts detected on the cluster, the second input of `synth()`. */
export interface ClusterFacts {
  /** Nodes of the cluster. */
  readonly nodes: readonly NodeFacts[];
  /**
   * Runtime assumed when no node is known (e.g. `orchest synth --runtime docker` without cluster access).
   * @default containerd
   */
  readonly defaultRuntime?: ContainerRuntime;
  /** Registry facts. @default none: Service IP allocated by Kubernetes, TLS Secret filled by the operator */
  readonly registry?: RegistryFacts;
}

/** Knobs of `synth()` that are not part of the cluster's spec. */
export interface SynthOptions {
  /**
   * Orchest version used when `spec.orchest.version` is unset.
   * @default DEFAULT_ORCHEST_VERSION
   */
  readonly defaultVersion?: string;
  /**
   * Namespace used when the OrchestCluster has none.
   * @default "orchest"
   */
  readonly defaultNamespace?: string;
  /**
   * Image of the in-cluster registry (not an Orchest component, so not subject to the image rules).
   * @default DEFAULT_REGISTRY_IMAGE
   */
  readonly registryImage?: string;
  /**
   * IngressClass of the Ingresses created when `spec.orchest.orchestHost` is set.
   * @default "nginx"
   */
  readonly ingressClassName?: string;
}

/** Orchest version deployed when `spec.orchest.version` is unset. */
export const DEFAULT_ORCHEST_VERSION = "v2022.10.5";
/** Image of the in-cluster registry. */
export const DEFAULT_REGISTRY_IMAGE = "docker.io/library/registry:2.8.3";
export const DEFAULT_NAMESPACE = "orchest";
export const DEFAULT_INGRESS_CLASS = "nginx";
/** Size of the user directory volume when none is given (Orchest's default). */
export const DEFAULT_USERDIR_SIZE = "50Gi";
/** Size of the Orchest state volume when separated and no size is given. */
export const DEFAULT_STATE_SIZE = "10Gi";
/** Size of the registry's volume. */
export const DEFAULT_REGISTRY_SIZE = "50Gi";
export const DEFAULT_USERDIR_MOUNT_PATH = "/userdir";
export const USERDIR_CLAIM = "userdir-pvc";
export const STATE_CLAIM = "orchest-state-pvc";
export const REGISTRY_CLAIM = "docker-registry";
export const REGISTRY_TLS_SECRET = "registry-tls-secret";

/** Default socket path of each runtime. */
export const DEFAULT_SOCKETS: Readonly<Record<ContainerRuntime, string>> = {
  containerd: "/run/containerd/containerd.sock",
  docker: "/var/run/docker.sock",
};

/** Nodes that share a runtime and a socket path: one DaemonSet each. */
export interface RuntimeGroup {
  readonly runtime: ContainerRuntime;
  readonly socketPath: string;
  /** Sorted node names; empty when no node is known (the group then targets every node). */
  readonly nodes: readonly string[];
  /** Name suffix of the group's objects: the runtime, plus a short hash for a non-default socket. */
  readonly suffix: string;
}

/** Which runtime groups exist and whether they must be told apart by affinity. */
export interface RuntimePlan {
  /** True when every (selected) node has the same runtime and socket: no affinity is needed. */
  readonly uniform: boolean;
  readonly groups: readonly RuntimeGroup[];
}

/** Volume settings after defaults. */
export interface VolumePlan {
  readonly claimName: string;
  readonly size: string;
  readonly storageClass?: string;
  readonly accessMode: "ReadWriteOnce" | "ReadWriteMany";
  readonly mountPath: string;
}

/** Everything the component constructs need, resolved once. */
export interface SynthContext {
  readonly clusterName: string;
  readonly namespace: string;
  readonly version: string;
  readonly registry?: string;
  readonly paused: boolean;
  readonly singleNode: boolean;
  readonly host?: string;
  readonly restart?: string;
  readonly ingressClassName: string;
  readonly registryImage: string;
  readonly registryFacts: RegistryFacts;
  readonly userDir: VolumePlan;
  /** Separate state volume, when `separateOrchestStateFromUserDir` is true. */
  readonly state?: VolumePlan;
  readonly runtimes: RuntimePlan;
  readonly cluster: OrchestCluster;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/** Short stable hash, for names derived from free-form values. */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: Readonly<Record<string, string>>): boolean {
  if (labels === undefined) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Groups the nodes that run Orchest's worker plane by runtime and socket. */
export function planRuntimes(cluster: OrchestCluster, facts: ClusterFacts): RuntimePlan {
  const selector = { ...(cluster.spec?.workerNodeSelector ?? {}) };
  const nodes = facts.nodes.filter((n) => matchesSelector(n.labels, selector));
  if (nodes.length === 0) {
    const runtime = facts.defaultRuntime ?? "containerd";
    return { uniform: true, groups: [{ runtime, socketPath: DEFAULT_SOCKETS[runtime], nodes: [], suffix: runtime }] };
  }
  const byKey = new Map<string, { runtime: ContainerRuntime; socketPath: string; nodes: string[] }>();
  for (const n of nodes) {
    const socketPath = nonEmpty(n.socketPath) ?? DEFAULT_SOCKETS[n.runtime];
    const key = `${n.runtime}\u0000${socketPath}`;
    const g = byKey.get(key) ?? { runtime: n.runtime, socketPath, nodes: [] };
    g.nodes.push(n.name);
    byKey.set(key, g);
  }
  const groups = [...byKey.values()]
    .map((g) => ({
      runtime: g.runtime,
      socketPath: g.socketPath,
      nodes: [...new Set(g.nodes)].sort(),
      suffix: g.socketPath === DEFAULT_SOCKETS[g.runtime] ? g.runtime : `${g.runtime}-${shortHash(g.socketPath)}`,
    }))
    .sort((a, b) => (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0));
  return { uniform: groups.length === 1, groups };
}

/** Resolves the cluster, facts and options into a `SynthContext`. */
export function resolveContext(cluster: OrchestCluster, facts: ClusterFacts, options: SynthOptions = {}): SynthContext {
  const clusterName = nonEmpty(cluster.metadata?.name);
  if (clusterName === undefined) throw new Error("OrchestCluster has no metadata.name: give the cluster a name");
  // A spec the API server would refuse fails here, naming its fields, instead of synthesizing nonsense.
  assertValid(cluster, `OrchestCluster ${clusterName}`);
  const spec = cluster.spec ?? {};
  const orchest = spec.orchest ?? {};
  const resources = orchest.resources ?? {};
  const singleNode = spec.singleNode === true;
  const separateState = resources.separateOrchestStateFromUserDir === true;
  const userDirStorageClass = nonEmpty(resources.userDirVolume?.storageClass);
  const stateStorageClass = nonEmpty(resources.orchestStateVolume?.storageClass);
  const host = nonEmpty(orchest.orchestHost);
  const registry = nonEmpty(orchest.registry);
  const restart = nonEmpty(cluster.metadata?.annotations?.["orchest.io/restart"]);
  return {
    clusterName,
    namespace: nonEmpty(cluster.metadata?.namespace) ?? options.defaultNamespace ?? DEFAULT_NAMESPACE,
    version: nonEmpty(orchest.version) ?? options.defaultVersion ?? DEFAULT_ORCHEST_VERSION,
    ...(registry !== undefined ? { registry } : {}),
    paused: orchest.pause === true,
    singleNode,
    ...(host !== undefined ? { host } : {}),
    ...(restart !== undefined ? { restart } : {}),
    ingressClassName: options.ingressClassName ?? DEFAULT_INGRESS_CLASS,
    registryImage: options.registryImage ?? DEFAULT_REGISTRY_IMAGE,
    registryFacts: facts.registry ?? {},
    userDir: {
      claimName: USERDIR_CLAIM,
      size: nonEmpty(resources.userDirVolume?.volumeSize) ?? nonEmpty(resources.userDirVolumeSize) ?? DEFAULT_USERDIR_SIZE,
      ...(userDirStorageClass !== undefined ? { storageClass: userDirStorageClass } : {}),
      accessMode: singleNode ? "ReadWriteOnce" : "ReadWriteMany",
      mountPath: nonEmpty(resources.userDirVolume?.mountPath) ?? DEFAULT_USERDIR_MOUNT_PATH,
    },
    ...(separateState
      ? {
          state: {
            claimName: STATE_CLAIM,
            size: nonEmpty(resources.orchestStateVolume?.volumeSize) ?? nonEmpty(resources.orchestStateVolumeSize) ?? DEFAULT_STATE_SIZE,
            ...(stateStorageClass !== undefined ? { storageClass: stateStorageClass } : {}),
            accessMode: "ReadWriteOnce" as const,
            mountPath: nonEmpty(resources.orchestStateVolume?.mountPath) ?? "/orchest-state",
          },
        }
      : {}),
    runtimes: planRuntimes(cluster, facts),
    cluster,
  };
}

/** The spec template of a component, if the CR has one for it. */
export function componentTemplate(ctx: SynthContext, component: OrchestComponentName): OrchestComponentTemplate | undefined {
  const spec = ctx.cluster.spec ?? {};
  const o = spec.orchest ?? {};
  switch (component) {
    case "orchest-database":
      return spec.postgres;
    case "rabbitmq-server":
      return spec.rabbitMq;
    case "orchest-api":
      return o.orchestApi;
    case "celery-worker":
      return o.celeryWorker;
    case "auth-server":
      return o.authServer;
    case "orchest-webserver":
      return o.orchestWebServer;
    case "buildkit-daemon":
      return o.buildkitDaemon;
    case "node-agent":
      return o.nodeAgent;
  }
}

/** The image a component runs (see images.ts). */
export function componentImage(ctx: SynthContext, component: OrchestComponentName): string {
  const templateImage = componentTemplate(ctx, component)?.image;
  return resolveImage({
    component,
    version: ctx.version,
    ...(templateImage !== undefined ? { templateImage } : {}),
    ...(ctx.registry !== undefined ? { registry: ctx.registry } : {}),
  });
}

/** Control plane components: scheduled by `spec.controlNodeSelector`; the rest by `spec.workerNodeSelector`. */
export function isControlPlane(component: OrchestComponentName | typeof DOCKER_REGISTRY): boolean {
  return component !== "node-agent" && component !== "buildkit-daemon";
}

/**
 * Node selector of a component's pods: the plane's selector, then the
 * template's own, then (while paused, for DaemonSets) a label no node has.
 */
export function nodeSelectorFor(
  ctx: SynthContext,
  component: OrchestComponentName | typeof DOCKER_REGISTRY,
  opts: { readonly pausedDaemonSet?: boolean } = {},
): Record<string, string> {
  const spec = ctx.cluster.spec ?? {};
  const plane = isControlPlane(component) ? spec.controlNodeSelector : spec.workerNodeSelector;
  const own = component === DOCKER_REGISTRY ? undefined : componentTemplate(ctx, component)?.nodeSelector;
  const merged: Record<string, string> = { ...(plane ?? {}), ...(own ?? {}) };
  if (opts.pausedDaemonSet) merged[PAUSED_NODE_SELECTOR_KEY] = "true";
  return sortKeys(merged);
}

/** A copy of a string map with sorted keys (canonical output). */
export function sortKeys(m: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

const GLOBAL_DEFAULT_ENV: readonly [string, string][] = [
  ["PYTHONUNBUFFERED", "TRUE"],
  ["ORCHEST_LOG_LEVEL", "INFO"],
  ["ORCHEST_HOST_GID", "1"],
];

/** Orchest's per-component default environment (orchest-controller's defaults). */
const COMPONENT_DEFAULT_ENV: Readonly<Partial<Record<OrchestComponentName, readonly [string, string][]>>> = {
  "orchest-api": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
  ],
  "orchest-webserver": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
    ["ORCHEST_PORT", "8000"],
    ["USERDIR_PVC", USERDIR_CLAIM],
    ["HOST_CONFIG_DIR", "/var/lib/orchest/config"],
    ["HOST_REPO_DIR", "/var/lib/orchest/repo"],
    ["HOST_OS", "linux"],
  ],
  "auth-server": [["FLASK_ENV", "production"]],
  "celery-worker": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
  ],
};

/**
 * Environment of a component, merged by name in this order (later wins, the
 * first position of a name is kept): Orchest's global defaults, the
 * component's defaults, `spec.orchest.env`, the component template's env,
 * then values synth must own (`forced`, and ORCHEST_FQDN when a host is set).
 */
export function componentEnv(
  ctx: SynthContext,
  component: OrchestComponentName,
  extraDefaults: readonly EnvVar[] = [],
  forced: readonly EnvVar[] = [],
): EnvVar[] {
  const merged = new Map<string, EnvVar>();
  const put = (e: EnvVar): void => {
    merged.set(e.name, e);
  };
  for (const [name, value] of GLOBAL_DEFAULT_ENV) put({ name, value });
  put({ name: "ORCHEST_CLUSTER", value: ctx.clusterName });
  put({ name: "ORCHEST_NAMESPACE", value: ctx.namespace });
  if (ctx.runtimes.uniform) {
    const g = ctx.runtimes.groups[0]!;
    put({ name: "CONTAINER_RUNTIME", value: g.runtime });
    put({ name: "CONTAINER_RUNTIME_SOCKET", value: g.socketPath });
  }
  put({ name: "CONTAINER_RUNTIME_IMAGE", value: defaultImage("image-puller", ctx.version, ctx.registry) });
  for (const [name, value] of COMPONENT_DEFAULT_ENV[component] ?? []) put({ name, value });
  for (const e of extraDefaults) put(e);
  for (const e of ctx.cluster.spec?.orchest?.env ?? []) put(e);
  for (const e of componentTemplate(ctx, component)?.env ?? []) put(e);
  if (ctx.host !== undefined) put({ name: "ORCHEST_FQDN", value: ctx.host });
  for (const e of forced) put(e);
  return [...merged.values()];
}
