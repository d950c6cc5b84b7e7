// Go parity with Orchest's controller: utils.DetectK8sDistribution, orchestcomponent.detectIngressClass and
// orchestcluster.detectContainerRuntime (what they read from nodes and IngressClasses).
import test from "ava";
import type { KubeObject } from "../reconcilers/index.js";
import { claimFactsOf, clusterFacts, distroOf, ingressClassOf, nodeFactsChanged } from "./facts.js";

const node = (name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}, runtime = "containerd://1.7.2"): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels, annotations },
  status: { nodeInfo: { containerRuntimeVersion: runtime } },
});

const distros: [KubeObject[], string][] = [
  [[node("a", { "minikube.k8s.io/name": "minikube" })], "minikube"],
  [[node("a", { "node.kubernetes.io/microk8s-controlplane": "microk8s-controlplane" })], "microk8s"],
  [[node("a", { "k8s.io/cloud-provider-aws": "x" })], "eks"],
  [[node("a", { "topology.gke.io/zone": "europe-west1-b" })], "gke"],
  [[node("a", {}, { "k3s.io/hostname": "a" })], "k3s"],
  [[node("docker-desktop", { "kubernetes.io/hostname": "docker-desktop" })], "docker-desktop"],
  [[node("a", { "kubernetes.io/hostname": "a" })], ""],
  [[node("b", {}, { "k3s.io/hostname": "b" }), node("a")], ""],
  [[], ""],
];
for (const [nodes, expected] of distros) {
  test(`detects the distribution "${expected}" from the first node, as Orchest does (${nodes.map((n) => n.metadata.name).join(",")})`, (t) => {
    t.is(distroOf(nodes), expected);
    t.is(clusterFacts(nodes).facts.distro, expected);
  });
}

const ingressClass = (name: string, controller: string): KubeObject => ({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name }, spec: { controller } });
const classes: [KubeObject[], string | undefined][] = [
  [[ingressClass("nginx", "k8s.io/ingress-nginx")], "nginx"],
  [[ingressClass("public", "k8s.io/ingress-nginx")], "public"],
  [[ingressClass("nginx-inc", "nginx.org/ingress-controller")], "nginx-inc"],
  [[ingressClass("traefik", "traefik.io/ingress-controller")], undefined],
  [[ingressClass("z", "k8s.io/ingress-nginx"), ingressClass("traefik", "traefik.io/ingress-controller"), ingressClass("a", "nginx.org/ingress-controller")], "a"],
  [[], undefined],
];
for (const [list, expected] of classes) {
  test(`finds the ingress-nginx class ${String(expected)} by its controller among ${list.map((c) => c.metadata.name).join(",") || "none"}`, (t) => {
    t.is(ingressClassOf(list), expected);
  });
}

test("reads each node's socket annotations and leaves nodes out whose runtime Orchest cannot use", (t) => {
  const { facts, unsupported } = clusterFacts([
    node("c", {}, { "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock" }),
    node("d", {}, { "orchest.io/container-runtime-socket": "/run/docker.sock" }, "docker://28.2.2"),
    node("x", {}, {}, "cri-o://1.30"),
  ]);
  t.deepEqual(facts.nodes.map((n) => [n.name, n.runtime, n.socketPath, n.criSocket]), [
    ["c", "containerd", undefined, "unix:///run/containerd/containerd.sock"],
    ["d", "docker", "/run/docker.sock", undefined],
  ]);
  t.deepEqual(unsupported, ["x"]);
});

test("keeps what cannot change of an existing claim", (t) => {
  const claim: KubeObject = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "userdir-pvc" }, spec: { accessModes: ["ReadWriteMany"], storageClassName: "standard", volumeMode: "Filesystem", resources: { requests: { storage: "50Gi" } } } };
  t.deepEqual(claimFactsOf(claim), { accessModes: ["ReadWriteMany"], storageClassName: "standard", volumeMode: "Filesystem" });
});

test("a node's heartbeat is no change of its facts; its runtime, labels and socket annotation are", (t) => {
  const before = { ...node("a", { pool: "x" }), status: { nodeInfo: { containerRuntimeVersion: "containerd://1.7.2" }, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-01-01T00:00:00Z" }] } };
  const heartbeat = { ...before, metadata: { ...before.metadata, resourceVersion: "2" }, status: { ...before.status, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-01-01T00:00:40Z" }] } };
  t.false(nodeFactsChanged(before, heartbeat));
  t.true(nodeFactsChanged(before, { ...before, status: { nodeInfo: { containerRuntimeVersion: "docker://28.2.2" } } }));
  t.true(nodeFactsChanged(before, { ...before, metadata: { ...before.metadata, labels: { pool: "y" } } }));
  t.true(nodeFactsChanged(before, { ...before, metadata: { ...before.metadata, annotations: { "orchest.io/container-runtime-socket": "/run/k3s/containerd/containerd.sock" } } }));
});
