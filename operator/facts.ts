import type { ClaimFacts, ClusterFacts, ContainerRuntime, NodeFacts } from "../synth/index.js";
import type { KubeObject, UpdatePredicate } from "../reconcilers/index.js";

/** Node annotation that overrides the path of the node's container runtime socket. */
export const SOCKET_ANNOTATION = "orchest.io/container-runtime-socket";
/** Where kubeadm records a node's CRI socket (Orchest reads it for containerd). */
export const KUBEADM_CRI_SOCKET_ANNOTATION = "kubeadm.alpha.kubernetes.io/cri-socket";

interface NodeStatus {
  nodeInfo?: { containerRuntimeVersion?: string };
}

/** The runtime a kubelet reports, e.g. "containerd://1.7.2" → containerd; undefined for runtimes Orchest cannot build on. */
export function runtimeOf(node: KubeObject): ContainerRuntime | undefined {
  const version = (node.status as NodeStatus | undefined)?.nodeInfo?.containerRuntimeVersion ?? "";
  const scheme = version.split("://")[0];
  return scheme === "containerd" || scheme === "docker" ? scheme : undefined;
}

const byName = (a: KubeObject, b: KubeObject) => a.metadata.name!.localeCompare(b.metadata.name!);

/**
 * The Kubernetes distribution, told from the first node as Orchest's DetectK8sDistribution tells it:
 * minikube, microk8s, eks, gke, k3s, docker-desktop, or "" when none matches.
 */
export function distroOf(nodes: readonly KubeObject[]): string {
  const node = [...nodes].sort(byName)[0];
  if (!node) return "";
  const labels = node.metadata.labels ?? {};
  if ("minikube.k8s.io/name" in labels) return "minikube";
  if ("node.kubernetes.io/microk8s-controlplane" in labels) return "microk8s";
  if ("k8s.io/cloud-provider-aws" in labels) return "eks";
  if ("topology.gke.io/zone" in labels) return "gke";
  if ("k3s.io/hostname" in (node.metadata.annotations ?? {})) return "k3s";
  if (labels["kubernetes.io/hostname"] === "docker-desktop") return "docker-desktop";
  return "";
}

/** Controllers of ingress-nginx's IngressClasses, as Orchest's IsNginxIngressClass knows them. */
export const NGINX_INGRESS_CONTROLLERS = ["k8s.io/ingress-nginx", "nginx.org/ingress-controller"];

/** The first IngressClass (by name) served by ingress-nginx, as Orchest's detectIngressClass picks it. */
export function ingressClassOf(classes: readonly KubeObject[]): string | undefined {
  const controller = (c: KubeObject) => (c.spec as { controller?: string } | undefined)?.controller ?? "";
  return [...classes].sort(byName).find((c) => NGINX_INGRESS_CONTROLLERS.includes(controller(c)))?.metadata.name;
}

/** The immutable fields of an existing claim. */
export function claimFactsOf(claim: KubeObject): ClaimFacts {
  const spec = (claim.spec ?? {}) as { accessModes?: string[]; storageClassName?: string; volumeMode?: string };
  return {
    accessModes: spec.accessModes ?? [],
    ...(spec.storageClassName ? { storageClassName: spec.storageClassName } : {}),
    ...(spec.volumeMode ? { volumeMode: spec.volumeMode } : {}),
  };
}

/** What synth() needs to know about the nodes: runtime, labels and socket paths, in a stable order; the distribution. */
export function clusterFacts(nodes: readonly KubeObject[]): { facts: ClusterFacts; unsupported: string[] } {
  const known: NodeFacts[] = [];
  const unsupported: string[] = [];
  for (const node of [...nodes].sort(byName)) {
    const runtime = runtimeOf(node);
    if (!runtime) {
      unsupported.push(node.metadata.name!);
      continue;
    }
    const socketPath = node.metadata.annotations?.[SOCKET_ANNOTATION];
    const criSocket = node.metadata.annotations?.[KUBEADM_CRI_SOCKET_ANNOTATION];
    known.push({ name: node.metadata.name!, runtime, labels: node.metadata.labels ?? {}, ...(socketPath ? { socketPath } : {}), ...(criSocket ? { criSocket } : {}) });
  }
  return { facts: { nodes: known, distro: distroOf(nodes) }, unsupported };
}

/**
 * Whether a node's update changes what synth reads of it. Kubelets write their node's status every few seconds
 * (heartbeats, images, resources): without this, each such write reconciles every cluster.
 */
export const nodeFactsChanged: UpdatePredicate = (old, obj) => JSON.stringify(clusterFacts([old])) !== JSON.stringify(clusterFacts([obj]));
