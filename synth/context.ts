/**
 * Resolves an OrchestCluster plus detected facts into a plan: the cluster-wide settings, and per component
 * its image, environment and node selector (one DaemonSet plan per runtime group for node-agent and
 * buildkit-daemon), its claims and its Ingress class. The component constructs render only their plan.
 *
 * Every default lives here, is documented, and is applied only to the synthesized manifests: nothing is
 * ever written back into `.spec`.
 */
import { createHash } from "node:crypto";
import type { EnvVar, OrchestCluster, OrchestComponentTemplate } from "../crds/types/index.js";
import { assertValid } from "../crds/validation.js";
import { CLUSTER_DEFAULT_ENV, COMPONENT_DEFAULT_ENV, envBool, mergeEnv, selectorJson, vars } from "./env.js";
import { DEFAULT_POSTGRES_IMAGE, DEFAULT_RABBITMQ_IMAGE, isCustomImage, orchestImage, resolveImage } from "./images.js";
import { projectImages, type ProjectImages } from "./project-images.js";
import { ANNOTATIONS, DOCKER_REGISTRY, PAUSED_NODE_SELECTOR_KEY, type OrchestComponentName } from "./labels.js";

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
  /** The node's `orchest.io/container-runtime-socket` annotation: its socket path, over every other source. */
  readonly socketPath?: string;
  /** The node's kubeadm `kubeadm.alpha.kubernetes.io/cri-socket` annotation (used for containerd, as Orchest does). */
  readonly criSocket?: string;
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

/** The fields of an existing PersistentVolumeClaim that can never change. */
export interface ClaimFacts {
  readonly accessModes: readonly string[];
  readonly storageClassName?: string;
  readonly volumeMode?: string;
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
  /** Kubernetes distribution, detected from the nodes as Orchest does (K8S_DISTRO). @default "" (not detected) */
  readonly distro?: string;
  /** Name of the cluster's ingress-nginx IngressClass. @default SynthOptions.ingressClassName */
  readonly ingressClass?: string;
  /** Claims that exist already, by name: their immutable fields are kept (an adopted install's claims stay as they are). */
  readonly claims?: Readonly<Record<string, ClaimFacts>>;
  /** When the operator last restarted the cluster (`status.restartedAt`), stamped on every pod template. */
  readonly restartedAt?: string;
}

/** Components whose image is always the operator's own (Orchest's controller pinned them the same way). */
export type OwnImageComponent = "node-agent" | "buildkit-daemon";

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
   * @default the `registry` image of `ownImages`
   */
  readonly registryImage?: string;
  /**
   * IngressClass of the Ingresses when the facts name none.
   * @default "nginx"
   */
  readonly ingressClassName?: string;
  /**
   * This project's images, of the operator's own release: node-agent and buildkit-daemon always run them,
   * whatever their template says (as Orchest's controller pinned its own); orchest-api runs the project image
   * unless its template names a custom image; the api's builder pods and the registry use them too.
   * @default this project's release images, `projectImages()`
   */
  readonly ownImages?: ProjectImages;
}

/**
 * Orchest version deployed when `spec.orchest.version` is unset: Orchest's last release (v2023.04.2), which its
 * controller at the reference commit (560103a5 = v2023.04.2-12) deployed, its version being set at build time.
 */
export const DEFAULT_ORCHEST_VERSION = "v2023.04.2";
export const DEFAULT_NAMESPACE = "orchest";
export const DEFAULT_INGRESS_CLASS = "nginx";
/** Sizes of Orchest's claims when none is given (NewDefaultControllerConfig, and its registry addon's values). */
export const DEFAULT_USERDIR_SIZE = "50Gi";
export const DEFAULT_STATE_SIZE = "5Gi";
export const DEFAULT_REGISTRY_SIZE = "25Gi";
/** Where the user directory is mounted: Orchest's services expect it there (Volume.mountPath is not used). */
export const USERDIR_MOUNT_PATH = "/userdir";
export const USERDIR_CLAIM = "userdir-pvc";
export const STATE_CLAIM = "orchest-state";
export const REGISTRY_CLAIM = "docker-registry";
export const REGISTRY_TLS_SECRET = "registry-tls-secret";
/** Where celery-worker mounts the state claim when state is separate (CELERY_STATE_DIR then points there). */
export const CELERY_STATE_MOUNT_PATH = "/celery-state";
/** The image that pulls images on nodes for Orchest's Python services: always from docker.io, as Orchest sets it. */
export const IMAGE_PULLER = "image-puller";

/** Default socket path of each runtime (Orchest's detectContainerRuntime). */
export const DEFAULT_SOCKETS: Readonly<Record<ContainerRuntime, string>> = {
  containerd: "/var/run/containerd/containerd.sock",
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

/** A claim after defaults and after the facts of an existing claim. */
export interface VolumePlan {
  readonly claimName: string;
  readonly size: string;
  readonly storageClass?: string;
  readonly accessModes: readonly string[];
  readonly volumeMode: string;
}

/** What one component's pods run with. */
export interface ComponentPlan {
  readonly image: string;
  /** Sorted by name; see env.ts for the order of precedence. */
  readonly env: readonly EnvVar[];
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/** One DaemonSet of node-agent or buildkit-daemon: the nodes of a runtime group. */
export interface DaemonSetPlan extends ComponentPlan {
  readonly group: RuntimeGroup;
}

/** Everything the component constructs need, resolved once. */
export interface SynthContext {
  readonly clusterName: string;
  readonly namespace: string;
  readonly version: string;
  /** `spec.orchest.registry`; "" when unset, as Orchest compares it. */
  readonly registry: string;
  readonly paused: boolean;
  readonly singleNode: boolean;
  readonly host?: string;
  readonly restartedAt?: string;
  readonly ingressClassName: string;
  readonly registryImage: string;
  /** Images of the api's builder pods. */
  readonly builderImages: { readonly buildctl: string; readonly docker: string };
  /** The image of git imports that name none (the api's --git-image): the release's. */
  readonly gitImage: string;
  /** The Jupyter server's image of sessions that name none (the api's --jupyter-image): the release's. */
  readonly jupyterImage: string;
  readonly registryFacts: RegistryFacts;
  /**
   * How nodes, builders and the agents name the in-cluster registry: its ClusterIP (nodes resolve no cluster
   * names; the certificate names the IP), or the Service's DNS name while the IP is not known yet.
   */
  readonly registryHost: string;
  /** Registries that builds reach over plain HTTP (`orchest.io/plain-http-registries`). */
  readonly plainHttpRegistries: readonly string[];
  readonly userDir: VolumePlan;
  /** Separate state volume, when `separateOrchestStateFromUserDir` is true. */
  readonly state?: VolumePlan;
  readonly registryClaim: VolumePlan;
  readonly runtimes: RuntimePlan;
  readonly components: Readonly<Record<OrchestComponentName, ComponentPlan>>;
  /** node-agent on every runtime group, buildkit-daemon on the containerd ones. */
  readonly daemonSets: Readonly<Record<OwnImageComponent, readonly DaemonSetPlan[]>>;
  /** Node selector of the in-cluster registry (control plane). */
  readonly registryNodeSelector: Readonly<Record<string, string>>;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/** Short stable hash, for names derived from free-form values. */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

/** A copy of a string map with sorted keys (canonical output). */
export function sortKeys(m: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: Readonly<Record<string, string>>): boolean {
  if (labels === undefined) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

// Some distributions write the socket as a URL.
const socketFile = (path: string): string => path.replace(/^unix:\/\//, "");

/**
 * The socket of a node's runtime: its own annotation, else the cluster's `orchest.io/container-runtime-socket`
 * annotation (where `orchest install --socket-path` puts it), else for containerd the kubeadm cri-socket
 * annotation, else the runtime's default.
 */
function socketOf(node: NodeFacts, clusterSocket: string | undefined): string {
  const path = nonEmpty(node.socketPath) ?? clusterSocket ?? (node.runtime === "containerd" ? nonEmpty(node.criSocket) : undefined);
  return socketFile(path ?? DEFAULT_SOCKETS[node.runtime]);
}

/** Groups the nodes that run Orchest's worker plane by runtime and socket. */
export function planRuntimes(cluster: OrchestCluster, facts: ClusterFacts): RuntimePlan {
  const selector = { ...(cluster.spec?.workerNodeSelector ?? {}) };
  const clusterSocket = nonEmpty(cluster.metadata?.annotations?.[ANNOTATIONS.runtimeSocket]);
  const nodes = facts.nodes.filter((n) => matchesSelector(n.labels, selector));
  const suffix = (runtime: ContainerRuntime, socketPath: string) =>
    socketPath === DEFAULT_SOCKETS[runtime] ? runtime : `${runtime}-${shortHash(socketPath)}`;
  if (nodes.length === 0) {
    const runtime = facts.defaultRuntime ?? "containerd";
    const socketPath = socketFile(clusterSocket ?? DEFAULT_SOCKETS[runtime]);
    return { uniform: true, groups: [{ runtime, socketPath, nodes: [], suffix: suffix(runtime, socketPath) }] };
  }
  const byKey = new Map<string, { runtime: ContainerRuntime; socketPath: string; nodes: string[] }>();
  for (const n of nodes) {
    const socketPath = socketOf(n, clusterSocket);
    const key = `${n.runtime}\u0000${socketPath}`;
    const g = byKey.get(key) ?? { runtime: n.runtime, socketPath, nodes: [] };
    g.nodes.push(n.name);
    byKey.set(key, g);
  }
  const groups = [...byKey.values()]
    .map((g) => ({ runtime: g.runtime, socketPath: g.socketPath, nodes: [...new Set(g.nodes)].sort(), suffix: suffix(g.runtime, g.socketPath) }))
    .sort((a, b) => (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0));
  return { uniform: groups.length === 1, groups };
}

/** A claim as the spec asks for it, with the immutable fields of the claim that exists already. */
function claimPlan(claimName: string, wanted: { size: string; storageClass?: string; accessMode: string }, live: ClaimFacts | undefined): VolumePlan {
  if (!live) {
    return { claimName, size: wanted.size, ...(wanted.storageClass ? { storageClass: wanted.storageClass } : {}), accessModes: [wanted.accessMode], volumeMode: "Filesystem" };
  }
  return {
    claimName,
    size: wanted.size,
    ...(live.storageClassName ? { storageClass: live.storageClassName } : {}),
    accessModes: [...live.accessModes],
    volumeMode: live.volumeMode ?? "Filesystem",
  };
}

/** The spec template of a component, if the CR has one for it. */
function templateOf(cluster: OrchestCluster, component: OrchestComponentName): OrchestComponentTemplate | undefined {
  const spec = cluster.spec ?? {};
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

/** Control plane components: scheduled by `spec.controlNodeSelector`; the rest by `spec.workerNodeSelector`. */
function isControlPlane(component: OrchestComponentName): boolean {
  return component !== "node-agent" && component !== "buildkit-daemon";
}

/** An env var from the downward API. */
function fieldEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
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
  // Orchest's default: a single node, whose user directory can be ReadWriteOnce.
  const singleNode = spec.singleNode !== false;
  const paused = orchest.pause === true;
  const namespace = nonEmpty(cluster.metadata?.namespace) ?? options.defaultNamespace ?? DEFAULT_NAMESPACE;
  const version = nonEmpty(orchest.version) ?? options.defaultVersion ?? DEFAULT_ORCHEST_VERSION;
  const registry = orchest.registry ?? "";
  const host = nonEmpty(orchest.orchestHost);
  const ingressClassName = nonEmpty(facts.ingressClass) ?? options.ingressClassName ?? DEFAULT_INGRESS_CLASS;
  const runtimes = planRuntimes(cluster, facts);
  const claims = facts.claims ?? {};
  const separateState = resources.separateOrchestStateFromUserDir === true;
  const userDir = claimPlan(
    USERDIR_CLAIM,
    {
      size: nonEmpty(resources.userDirVolume?.volumeSize) ?? nonEmpty(resources.userDirVolumeSize) ?? DEFAULT_USERDIR_SIZE,
      ...(nonEmpty(resources.userDirVolume?.storageClass) ? { storageClass: resources.userDirVolume!.storageClass! } : {}),
      accessMode: singleNode ? "ReadWriteOnce" : "ReadWriteMany",
    },
    claims[USERDIR_CLAIM],
  );
  const state = separateState
    ? claimPlan(
        STATE_CLAIM,
        {
          size: nonEmpty(resources.orchestStateVolume?.volumeSize) ?? nonEmpty(resources.orchestStateVolumeSize) ?? DEFAULT_STATE_SIZE,
          ...(nonEmpty(resources.orchestStateVolume?.storageClass) ? { storageClass: resources.orchestStateVolume!.storageClass! } : {}),
          accessMode: "ReadWriteOnce",
        },
        claims[STATE_CLAIM],
      )
    : undefined;

  const plane = (component: OrchestComponentName) => (isControlPlane(component) ? spec.controlNodeSelector : spec.workerNodeSelector) ?? {};
  const nodeSelector = (component: OrchestComponentName): Record<string, string> => {
    const merged: Record<string, string> = { ...plane(component), ...(templateOf(cluster, component)?.nodeSelector ?? {}) };
    // A DaemonSet has no replicas to scale: while paused its pods are kept off every node.
    if (paused && !isControlPlane(component)) merged[PAUSED_NODE_SELECTOR_KEY] = "true";
    return sortKeys(merged);
  };

  const uniform = runtimes.uniform ? runtimes.groups[0] : undefined;
  const clusterEnv: EnvVar[] = [
    ...vars(CLUSTER_DEFAULT_ENV),
    // Mixed clusters have no single runtime: each DaemonSet gets its own below.
    ...(uniform ? vars([["CONTAINER_RUNTIME", uniform.runtime], ["CONTAINER_RUNTIME_SOCKET", uniform.socketPath]]) : []),
    { name: "CONTAINER_RUNTIME_IMAGE", value: orchestImage(IMAGE_PULLER, version, "docker.io") },
    { name: "K8S_DISTRO", value: facts.distro ?? "" },
    { name: "ORCHEST_CLUSTER", value: clusterName },
    { name: "ORCHEST_NAMESPACE", value: namespace },
  ];
  const workerSelector = spec.workerNodeSelector ?? {};
  const lastWords = (component: OrchestComponentName): EnvVar[] => {
    const out: EnvVar[] = [];
    if ((component === "orchest-api" || component === "celery-worker") && Object.keys(workerSelector).length > 0) {
      out.push({ name: "WORKER_PLANE_SELECTOR", value: selectorJson(workerSelector) });
    }
    if (component === "orchest-api") out.push({ name: "INGRESS_CLASS", value: ingressClassName });
    // What this project's api and agent read of their pod (downward API): namespace, and the agent's node and address.
    if (component === "orchest-api" || component === "node-agent") out.push(fieldEnv("POD_NAMESPACE", "metadata.namespace"));
    if (component === "node-agent") out.push(fieldEnv("NODE_NAME", "spec.nodeName"), fieldEnv("POD_IP", "status.podIP"));
    if (component === "celery-worker" && separateState) out.push({ name: "CELERY_STATE_DIR", value: CELERY_STATE_MOUNT_PATH });
    return out;
  };
  const envOf = (component: OrchestComponentName, runtime: readonly EnvVar[] = []): EnvVar[] =>
    mergeEnv(
      clusterEnv,
      orchest.env ?? [],
      host !== undefined ? [{ name: "ORCHEST_FQDN", value: host }] : [],
      vars(COMPONENT_DEFAULT_ENV[component] ?? []),
      templateOf(cluster, component)?.env ?? [],
      component === "orchest-api" || component === "celery-worker" ? [{ name: "SINGLE_NODE", value: envBool(singleNode) }] : [],
      lastWords(component),
      runtime,
    );

  const own = options.ownImages ?? projectImages();
  const imageOf = (component: OrchestComponentName): string => {
    const templateImage = nonEmpty(templateOf(cluster, component)?.image);
    switch (component) {
      case "orchest-database":
        return templateImage ?? DEFAULT_POSTGRES_IMAGE;
      case "rabbitmq-server":
        return templateImage ?? DEFAULT_RABBITMQ_IMAGE;
      case "node-agent":
        return own.project;
      case "buildkit-daemon":
        return own.buildkitd;
      case "orchest-api":
        // This project's api, unless the template names a custom image (kept, as every custom image).
        return templateImage !== undefined && isCustomImage(templateImage, component, registry) ? templateImage : own.project;
      default:
        return resolveImage({ component, version, registry, ...(templateImage !== undefined ? { templateImage } : {}) });
    }
  };
  const planOf = (component: OrchestComponentName): ComponentPlan => ({ image: imageOf(component), env: envOf(component), nodeSelector: nodeSelector(component) });
  const components: Record<OrchestComponentName, ComponentPlan> = {
    "orchest-database": planOf("orchest-database"),
    "rabbitmq-server": planOf("rabbitmq-server"),
    "orchest-api": planOf("orchest-api"),
    "celery-worker": planOf("celery-worker"),
    "auth-server": planOf("auth-server"),
    "orchest-webserver": planOf("orchest-webserver"),
    "buildkit-daemon": planOf("buildkit-daemon"),
    "node-agent": planOf("node-agent"),
  };
  const daemonSetPlans = (component: OwnImageComponent, groups: readonly RuntimeGroup[]): DaemonSetPlan[] =>
    groups.map((group) => ({
      group,
      image: components[component].image,
      env: envOf(component, vars([["CONTAINER_RUNTIME", group.runtime], ["CONTAINER_RUNTIME_SOCKET", group.socketPath]])),
      nodeSelector: components[component].nodeSelector,
    }));

  const restartedAt = nonEmpty(facts.restartedAt);
  return {
    clusterName,
    namespace,
    version,
    registry,
    paused,
    singleNode,
    ...(host !== undefined ? { host } : {}),
    ...(restartedAt !== undefined ? { restartedAt } : {}),
    ingressClassName,
    registryImage: options.registryImage ?? own.registry,
    builderImages: { buildctl: own.builderBuildctl, docker: own.builderDocker },
    gitImage: own.git,
    jupyterImage: own.jupyterServer,
    registryFacts: facts.registry ?? {},
    registryHost: facts.registry?.clusterIP ?? `${DOCKER_REGISTRY}.${namespace}.svc.cluster.local`,
    plainHttpRegistries: (cluster.metadata?.annotations?.[ANNOTATIONS.plainHttpRegistries] ?? "").split(/[\s,]+/).filter(Boolean).sort(),
    userDir,
    ...(state ? { state } : {}),
    registryClaim: claimPlan(REGISTRY_CLAIM, { size: DEFAULT_REGISTRY_SIZE, accessMode: "ReadWriteOnce" }, claims[REGISTRY_CLAIM]),
    runtimes,
    components,
    daemonSets: {
      "node-agent": daemonSetPlans("node-agent", runtimes.groups),
      "buildkit-daemon": daemonSetPlans("buildkit-daemon", runtimes.groups.filter((g) => g.runtime === "containerd")),
    },
    registryNodeSelector: sortKeys(spec.controlNodeSelector ?? {}),
  };
}
