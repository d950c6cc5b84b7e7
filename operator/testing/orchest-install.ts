/**
 * An Orchest install as Orchest's own controller (services/orchest-controller at 560103a5) leaves it for the
 * example CR `spec: {singleNode: true}` on a containerd cluster: the OrchestCluster with the defaults it writes
 * into the spec and its own status, one OrchestComponent per component, and what each component reconciler
 * creates (orchestcomponent/*.go: metadata from GetMetadata, selectors from GetResourceMatchLables,
 * ownerReferences to the OrchestComponent, Services owned by the OrchestCluster), the claims of ensurePvc, the
 * cluster-wide RBAC of ensureRbacs and the docker-registry addon as its Helm chart renders it. Test data only.
 */
import type { KubeObject } from "../../reconcilers/index.js";

export const ORCHEST_VERSION = "v2022.10.5";
const PART_OF = "controller.orchest.io/part-of";
const OWNER = "controller.orchest.io/owner";
const COMPONENT = "controller.orchest.io/component";
const HASH = "orchest.io/orchest-hash";

/** Stand-ins for Orchest's CRDs: objects are kept as Orchest's controller wrote them. */
export const ORCHEST_CRDS: KubeObject[] = ["OrchestCluster", "OrchestComponent"].map((kind) => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${kind.toLowerCase()}s.orchest.io` },
  spec: {
    group: "orchest.io",
    scope: "Namespaced",
    names: { kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [{ name: "v1alpha1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
  },
}));

const env = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));

/** The CR after Orchest's setDefaultIfNotSpecified. */
export function orchestCluster(namespace: string, name: string, registryIP: string): KubeObject {
  return {
    apiVersion: "orchest.io/v1alpha1",
    kind: "OrchestCluster",
    metadata: { name, namespace, finalizers: ["controller.orchest.io"], annotations: { "controller.orchest.io/k8s": "" } },
    spec: {
      singleNode: true,
      orchest: {
        version: ORCHEST_VERSION,
        pause: false,
        env: env({
          PYTHONUNBUFFERED: "TRUE",
          ORCHEST_LOG_LEVEL: "INFO",
          ORCHEST_HOST_GID: "1",
          CONTAINER_RUNTIME: "containerd",
          CONTAINER_RUNTIME_SOCKET: "/var/run/containerd/containerd.sock",
          CONTAINER_RUNTIME_IMAGE: `docker.io/orchest/image-puller:${ORCHEST_VERSION}`,
          K8S_DISTRO: "",
          ORCHEST_CLUSTER: name,
          ORCHEST_NAMESPACE: namespace,
        }),
        resources: { userDirVolumeSize: "50Gi", orchestStateVolumeSize: "5Gi" },
        orchestApi: { image: `orchest/orchest-api:${ORCHEST_VERSION}`, env: env({ ORCHEST_GPU_ENABLED_INSTANCE: "FALSE", FLASK_ENV: "production", SINGLE_NODE: "TRUE" }) },
        orchestWebServer: {
          image: `orchest/orchest-webserver:${ORCHEST_VERSION}`,
          env: env({
            ORCHEST_GPU_ENABLED_INSTANCE: "FALSE",
            FLASK_ENV: "production",
            ORCHEST_PORT: "8000",
            USERDIR_PVC: "userdir-pvc",
            HOST_CONFIG_DIR: "/var/lib/orchest/config",
            HOST_REPO_DIR: "/var/lib/orchest/repo",
            HOST_OS: "linux",
          }),
        },
        celeryWorker: { image: `orchest/celery-worker:${ORCHEST_VERSION}`, env: env({ ORCHEST_GPU_ENABLED_INSTANCE: "FALSE", FLASK_ENV: "production", CELERY_STATE_DIR: "/userdir/.orchest", SINGLE_NODE: "TRUE" }) },
        authServer: { image: `orchest/auth-server:${ORCHEST_VERSION}`, env: env({ FLASK_ENV: "production" }) },
        nodeAgent: { image: `orchest/node-agent:${ORCHEST_VERSION}` },
        buildkitDaemon: { image: `orchest/buildkit-daemon:${ORCHEST_VERSION}` },
      },
      postgres: { image: "postgres:13.1", env: env({ PGDATA: "/userdir/.orchest/database/data", POSTGRES_HOST_AUTH_METHOD: "trust" }) },
      rabbitMq: { image: "rabbitmq:3" },
      applications: [
        { name: "argo-workflow", config: { helm: { parameters: [{ name: "singleNamespace", value: "true" }] } } },
        { name: "docker-registry", config: { helm: { parameters: [{ name: "service.clusterIP", value: registryIP }] } } },
      ],
    },
  };
}

/** The status Orchest's controller leaves on a running cluster. */
export const ORCHEST_STATUS = {
  observedGeneration: 2,
  observedHash: "1234567890",
  state: "Running",
  conditions: [{ event: "deploying node-agent", lastHeartbeatTime: "2022-10-20T10:00:00Z", lastTransitionTime: "2022-10-20T10:00:00Z" }],
  lastHeartbeatTime: "2022-10-20T10:00:00Z",
};

interface Owner {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}
const ownerRef = (o: Owner) => ({ apiVersion: "orchest.io/v1alpha1", kind: o.kind, name: o.name, uid: o.uid, controller: true, blockOwnerDeletion: true });

/** Labels of what ensurePvc/ensureRbacs/getOrchestComponent make from the OrchestCluster (GetMetadata). */
const clusterMade = (cluster: string, resource: string) => ({ [OWNER]: cluster, [PART_OF]: "orchest", [COMPONENT]: resource, [HASH]: "2" });
/** Selector labels of a component's pods (GetResourceMatchLables of the OrchestComponent). */
const match = (component: string) => ({ [OWNER]: component, [PART_OF]: "orchest", [COMPONENT]: component });

/** The OrchestComponent objects, created in order of deployment. */
export function orchestComponents(namespace: string, cluster: Owner): KubeObject[] {
  const names = ["orchest-database", "rabbitmq-server", "orchest-api", "celery-worker", "auth-server", "orchest-webserver", "buildkit-daemon", "node-agent"];
  return names.map((name) => ({
    apiVersion: "orchest.io/v1alpha1",
    kind: "OrchestComponent",
    metadata: { name, namespace, labels: clusterMade(cluster.name, name), ownerReferences: [ownerRef(cluster)], finalizers: ["controller.orchest.io"] },
    spec: { template: {} },
  }));
}

const dns = { options: [{ name: "timeout", value: "10" }, { name: "attempts", value: "5" }] };
const claimVolume = (name: string) => ({ name, persistentVolumeClaim: { claimName: name } });
const tlsVolume = { name: "tls-secret", secret: { secretName: "registry-tls-secret", items: [{ key: "ca.crt", path: "additional-ca-cert-bundle.crt" }] } };
const tlsMount = { name: "tls-secret", mountPath: "/usr/lib/ssl/certs/additional-ca-cert-bundle.crt", subPath: "additional-ca-cert-bundle.crt", readOnly: true };

/** What the component reconcilers create, each object owned by its OrchestComponent (Services by the cluster). */
export function orchestObjects(namespace: string, cluster: Owner, components: readonly Owner[]): KubeObject[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const meta = (component: string, extra: Record<string, unknown> = {}) => ({
    name: component,
    namespace,
    labels: { ...match(component), [HASH]: "2" },
    ownerReferences: [ownerRef(byName.get(component)!)],
    ...extra,
  });
  const deployment = (component: string, pod: Record<string, unknown>): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(component),
    spec: { selector: { matchLabels: match(component) }, strategy: { type: "Recreate" }, template: { metadata: { labels: match(component) }, spec: pod } },
  });
  const daemonSet = (component: string, pod: Record<string, unknown>): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(component),
    spec: { selector: { matchLabels: match(component) }, template: { metadata: { labels: match(component) }, spec: pod } },
  });
  const service = (component: string, port: number): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...meta(component), ownerReferences: [ownerRef(cluster)] },
    spec: { selector: match(component), ports: [{ port }] },
  });
  const ingress = (component: string, path: string, annotations: Record<string, string>): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(component, { annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "0", ...annotations } }),
    spec: { ingressClassName: "nginx", rules: [{ http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: component, port: { number: 80 } } } }] } }] },
  });
  const auth = { "nginx.ingress.kubernetes.io/auth-url": `http://auth-server.${namespace}.svc.cluster.local/auth` };
  const image = (component: string) => `orchest/${component}:${ORCHEST_VERSION}`;
  const container = (name: string, img: string, extra: Record<string, unknown> = {}) => ({ name, image: img, imagePullPolicy: "IfNotPresent", ...extra });
  const socket = "/var/run/containerd/containerd.sock";
  const host = (name: string, path: string, type = "DirectoryOrCreate") => ({ name, hostPath: { path, type } });
  return [
    deployment("orchest-database", {
      volumes: [claimVolume("userdir-pvc")],
      dnsConfig: dns,
      containers: [
        container("orchest-database", "postgres:13.1", {
          ports: [{ containerPort: 5432 }],
          volumeMounts: [{ name: "userdir-pvc", mountPath: "/userdir/.orchest/database/data", subPath: ".orchest/database/data" }],
        }),
      ],
    }),
    service("orchest-database", 5432),
    deployment("rabbitmq-server", {
      hostname: "orchest-rabbit",
      volumes: [claimVolume("userdir-pvc")],
      containers: [container("rabbitmq-server", "rabbitmq:3", { ports: [{ containerPort: 5672 }], volumeMounts: [{ name: "userdir-pvc", mountPath: "/var/lib/rabbitmq/mnesia", subPath: ".orchest/rabbitmq-mnesia" }] })],
    }),
    service("rabbitmq-server", 5672),
    deployment("orchest-api", {
      serviceAccountName: "orchest-api",
      volumes: [claimVolume("userdir-pvc"), tlsVolume],
      dnsConfig: dns,
      containers: [container("orchest-api", image("orchest-api"), { ports: [{ containerPort: 80 }], volumeMounts: [{ name: "userdir-pvc", mountPath: "/userdir" }, tlsMount] })],
    }),
    service("orchest-api", 80),
    ingress("orchest-api", "/orchest-api(/|$)(.*)", { ...auth, "nginx.ingress.kubernetes.io/rewrite-target": "/$2" }),
    deployment("celery-worker", {
      serviceAccountName: "celery-worker",
      volumes: [claimVolume("userdir-pvc"), tlsVolume],
      dnsConfig: dns,
      containers: [container("celery-worker", image("celery-worker"), { volumeMounts: [{ name: "userdir-pvc", mountPath: "/userdir" }, tlsMount] })],
    }),
    deployment("auth-server", { dnsConfig: dns, containers: [container("auth-server", image("auth-server"), { ports: [{ containerPort: 80 }] })] }),
    service("auth-server", 80),
    ingress("auth-server", "/login", {}),
    deployment("orchest-webserver", {
      volumes: [claimVolume("userdir-pvc")],
      dnsConfig: dns,
      containers: [
        container("orchest-webserver", image("orchest-webserver"), { ports: [{ containerPort: 80 }], volumeMounts: [{ name: "userdir-pvc", mountPath: "/userdir" }] }),
        container("log-streamer", image("orchest-webserver"), { command: ["python"], args: ["/orchest/services/orchest-webserver/app/scripts/log_streamer.py"], volumeMounts: [{ name: "userdir-pvc", mountPath: "/userdir" }] }),
      ],
    }),
    service("orchest-webserver", 80),
    ingress("orchest-webserver", "/", { ...auth, "nginx.ingress.kubernetes.io/auth-signin": "/login" }),
    daemonSet("buildkit-daemon", {
      terminationGracePeriodSeconds: 1,
      volumes: [host("containerd-socket", socket, "Socket"), host("run-containerd", "/run/containerd"), host("var-lib-containerd", "/var/lib/containerd"), host("run-orchest-buildkit", "/run/orchest_buildkit"), host("orchest-buildkit-storage", "/var/lib/orchest_buildkit")],
      containers: [container("buildkit-daemon", image("buildkit-daemon"), { securityContext: { privileged: true } })],
    }),
    daemonSet("node-agent", {
      terminationGracePeriodSeconds: 1,
      volumes: [host("runtimesocket", socket, "Socket")],
      containers: [container("node-agent", image("node-agent"), { command: ["python", "./app/main.py"], volumeMounts: [{ name: "runtimesocket", mountPath: socket }] })],
    }),
  ];
}

/** What ensureRbacs and ensurePvc make, owned by the OrchestCluster. */
export function orchestClusterObjects(namespace: string, cluster: Owner): KubeObject[] {
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace } : {}), labels: clusterMade(cluster.name, name), ownerReferences: [ownerRef(cluster)] });
  const rbac = (name: string): KubeObject[] => [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(name, false), rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(name, false),
      subjects: [{ kind: "ServiceAccount", name, namespace }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name) },
  ];
  return [
    { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta("userdir-pvc"), spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } } },
    ...rbac("orchest-api"),
    ...rbac("celery-worker"),
  ];
}

/** The docker-registry addon: its Helm release `<namespace>-docker-registry`, and the TLS Secret of registryCertgen. */
export function registryAddon(namespace: string, cluster: Owner, registryIP: string, tls: { ca: string; cert: string; key: string }): KubeObject[] {
  const release = `${namespace}-docker-registry`;
  const labels = { app: "docker-registry", chart: "docker-registry-2.0.0", release, heritage: "Helm" };
  const selector = { app: "docker-registry", release };
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "registry-tls-secret", namespace, labels: { app: "docker-registry" }, ownerReferences: [ownerRef(cluster)] },
      data: { "ca.crt": b64(tls.ca), "tls.crt": b64(tls.cert), "tls.key": b64(tls.key) },
    },
    { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "docker-registry", namespace, labels }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "25Gi" } } } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "docker-registry", namespace, labels },
      spec: { type: "ClusterIP", clusterIP: registryIP, selector, ports: [{ port: 443, protocol: "TCP", name: "https-443", targetPort: 5000 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "docker-registry", namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        replicas: 1,
        minReadySeconds: 5,
        template: {
          metadata: { labels: selector },
          spec: {
            securityContext: { fsGroup: 1000, runAsUser: 1000 },
            containers: [{ name: "docker-registry", image: "registry:2.7.1", command: ["/bin/registry", "serve", "/etc/docker/registry/config.yml"], ports: [{ containerPort: 5000 }] }],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: "docker-registry" } }],
          },
        },
      },
    },
  ];
}
