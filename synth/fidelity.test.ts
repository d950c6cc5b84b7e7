// What Orchest's own controller deploys for its example CR (services/orchest-controller at 560103a5:
// deploy/examples/example-orchestcluster.yaml, `spec: {singleNode: true}`), component by component, read
// from pkg/controller/orchestcluster (defaults, env, claims) and pkg/controller/orchestcomponent (one file per
// component), against what synth() renders. Where this project differs on purpose, the row says so and names
// the entry of the README's "Differences from Orchest's controller", which must exist.
import test from "ava";
import { readFileSync } from "node:fs";
import type { OrchestCluster } from "../crds/types/index.js";
import { projectImages, resolveContext, synth, type ClusterFacts, type Manifest } from "./index.js";

type Obj = Record<string, any>;

const EXAMPLE: OrchestCluster = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "cluster-1", namespace: "orchest" }, spec: { singleNode: true } };
// What Orchest's controller deploys for a CR without a version: its own, set at build time (version.Version). The
// code at 560103a5 is v2023.04.2-12, Orchest's last release, whose images its controller deployed.
const VERSION = "v2023.04.2";
const FACTS: ClusterFacts = { nodes: [{ name: "node-1", runtime: "containerd" }], distro: "k3s", ingressClass: "nginx" };

/** The README's list of deliberate differences: every `difference` below must be one of its entries. */
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const differences = README.slice(README.indexOf("## Differences from Orchest's controller"));

// Orchest's OrchestDefaultEnvVars plus ORCHEST_CLUSTER/ORCHEST_NAMESPACE: what every component gets.
const CLUSTER_ENV = [
  "CONTAINER_RUNTIME",
  "CONTAINER_RUNTIME_IMAGE",
  "CONTAINER_RUNTIME_SOCKET",
  "K8S_DISTRO",
  "ORCHEST_CLUSTER",
  "ORCHEST_HOST_GID",
  "ORCHEST_LOG_LEVEL",
  "ORCHEST_NAMESPACE",
  "PYTHONUNBUFFERED",
];

/** A volume mount by what backs it: `claim:<name>`, `secret:<name>[:key]`, `host:<path>`. */
interface Mount {
  readonly source: string;
  readonly path: string;
  readonly subPath?: string;
}

interface OrchestRow {
  readonly component: string;
  readonly kind: "Deployment" | "DaemonSet";
  readonly image: string;
  /** Containers and, for the first, its env names (sorted) and ports. */
  readonly containers: readonly string[];
  readonly env: readonly string[];
  /** Env names appended after the sorted ones, as Orchest appends node-agent's CLUSTER_NODE (a field reference). */
  readonly envAppended?: readonly string[];
  readonly ports: readonly number[];
  readonly mounts: readonly Mount[];
  readonly serviceAccount?: string;
  readonly service?: number;
  readonly ingress?: { readonly path: string; readonly annotations: Readonly<Record<string, string>> };
  /** Where this project renders something else on purpose: what, and the README entry that says why. */
  readonly difference?: {
    readonly kind?: string;
    readonly image?: string;
    readonly ports?: readonly number[];
    readonly serviceAccount?: string;
    readonly extraEnv?: readonly string[];
    /** This project's mount in place of Orchest's, by Orchest's mount path. */
    readonly remounts?: Readonly<Record<string, Mount>>;
    readonly extraMounts?: readonly Mount[];
    readonly entry: string;
  };
}

const auth = { "nginx.ingress.kubernetes.io/auth-url": "http://auth-server.orchest.svc.cluster.local/auth" };
const bodySize = { "nginx.ingress.kubernetes.io/proxy-body-size": "0" };
const registryCa: Mount = { source: "secret:registry-tls-secret:ca.crt", path: "/usr/lib/ssl/certs/additional-ca-cert-bundle.crt", subPath: "additional-ca-cert-bundle.crt" };

const ORCHEST: readonly OrchestRow[] = [
  {
    component: "orchest-database", // orchest_database.go
    kind: "Deployment",
    image: "postgres:13.1",
    containers: ["orchest-database"],
    env: [...CLUSTER_ENV, "PGDATA", "POSTGRES_HOST_AUTH_METHOD"],
    ports: [5432],
    mounts: [{ source: "claim:userdir-pvc", path: "/userdir/.orchest/database/data", subPath: ".orchest/database/data" }],
    service: 5432,
    difference: { kind: "StatefulSet", entry: "StatefulSets for the database and the broker" },
  },
  {
    component: "rabbitmq-server", // rabbitmq_server.go
    kind: "Deployment",
    image: "rabbitmq:3",
    containers: ["rabbitmq-server"],
    env: CLUSTER_ENV,
    ports: [5672],
    mounts: [{ source: "claim:userdir-pvc", path: "/var/lib/rabbitmq/mnesia", subPath: ".orchest/rabbitmq-mnesia" }],
    service: 5672,
    difference: { kind: "StatefulSet", extraEnv: ["RABBITMQ_NODENAME"], entry: "StatefulSets for the database and the broker" },
  },
  {
    component: "orchest-api", // orchest_api.go
    kind: "Deployment",
    image: `orchest/orchest-api:${VERSION}`,
    containers: ["orchest-api"],
    env: [...CLUSTER_ENV, "FLASK_ENV", "INGRESS_CLASS", "ORCHEST_GPU_ENABLED_INSTANCE", "SINGLE_NODE"],
    ports: [80],
    mounts: [{ source: "claim:userdir-pvc", path: "/userdir" }, registryCa],
    serviceAccount: "orchest-api",
    service: 80,
    ingress: { path: "/orchest-api(/|$)(.*)", annotations: { ...bodySize, ...auth, "nginx.ingress.kubernetes.io/rewrite-target": "/$2" } },
    difference: { image: projectImages().project, ports: [8080], extraEnv: ["POD_NAMESPACE"], entry: "This project's api, node-agent, buildkitd and registry" },
  },
  {
    component: "celery-worker", // celery_worker.go
    kind: "Deployment",
    image: `orchest/celery-worker:${VERSION}`,
    containers: ["celery-worker"],
    env: [...CLUSTER_ENV, "CELERY_STATE_DIR", "FLASK_ENV", "ORCHEST_GPU_ENABLED_INSTANCE", "SINGLE_NODE"],
    ports: [],
    mounts: [{ source: "claim:userdir-pvc", path: "/userdir" }, registryCa],
    serviceAccount: "celery-worker",
  },
  {
    component: "auth-server", // auth_server.go
    kind: "Deployment",
    image: `orchest/auth-server:${VERSION}`,
    containers: ["auth-server"],
    env: [...CLUSTER_ENV, "FLASK_ENV"],
    ports: [80],
    mounts: [],
    service: 80,
    ingress: { path: "/login", annotations: bodySize },
  },
  {
    component: "orchest-webserver", // orchest_webserver.go
    kind: "Deployment",
    image: `orchest/orchest-webserver:${VERSION}`,
    containers: ["orchest-webserver", "log-streamer"],
    env: [...CLUSTER_ENV, "FLASK_ENV", "HOST_CONFIG_DIR", "HOST_OS", "HOST_REPO_DIR", "ORCHEST_GPU_ENABLED_INSTANCE", "ORCHEST_PORT", "USERDIR_PVC"],
    ports: [80],
    mounts: [{ source: "claim:userdir-pvc", path: "/userdir" }],
    service: 80,
    ingress: { path: "/", annotations: { ...bodySize, ...auth, "nginx.ingress.kubernetes.io/auth-signin": "/login" } },
  },
  {
    component: "buildkit-daemon", // buildkit_daemon.go
    kind: "DaemonSet",
    image: `orchest/buildkit-daemon:${VERSION}`,
    containers: ["buildkit-daemon"],
    env: CLUSTER_ENV,
    ports: [],
    mounts: [
      { source: "host:/var/run/containerd/containerd.sock", path: "/run/containerd/containerd.sock" },
      { source: "host:/run/containerd", path: "/run/containerd" },
      { source: "host:/var/lib/containerd", path: "/var/lib/containerd" },
      { source: "host:/run/orchest_buildkit", path: "/run/orchest_buildkit" },
      { source: "host:/var/lib/orchest_buildkit", path: "/var/lib/orchest_buildkit" },
    ],
    difference: {
      image: projectImages().buildkitd,
      // This project's buildkitd is given the node's socket path (--containerd-worker-addr), so it is mounted there.
      remounts: { "/run/containerd/containerd.sock": { source: "host:/var/run/containerd/containerd.sock", path: "/var/run/containerd/containerd.sock" } },
      extraMounts: [
        { source: "host:/run/buildkit", path: "/run/buildkit" },
        { source: "configmap:buildkit-daemon-config", path: "/etc/orchest-buildkit" },
        { source: "secret:registry-tls-secret:ca.crt", path: "/tls-secret" },
      ],
      entry: "This project's api, node-agent, buildkitd and registry",
    },
  },
  {
    component: "node-agent", // node_agent.go, on a containerd node (docker nodes add the registry's CA and certs.d)
    kind: "DaemonSet",
    image: `orchest/node-agent:${VERSION}`,
    containers: ["node-agent"],
    env: CLUSTER_ENV,
    envAppended: ["CLUSTER_NODE"],
    ports: [],
    mounts: [{ source: "host:/var/run/containerd/containerd.sock", path: "/var/run/containerd/containerd.sock" }],
    difference: {
      image: projectImages().project,
      ports: [8081, 9484],
      serviceAccount: "node-agent",
      extraEnv: ["NODE_NAME", "POD_IP", "POD_NAMESPACE"],
      extraMounts: [
        { source: "host:/etc/containerd/certs.d", path: "/etc/containerd/certs.d" },
        { source: "secret:registry-tls-secret:ca.crt", path: "/tls-secret" },
      ],
      entry: "This project's api, node-agent, buildkitd and registry",
    },
  },
];

const workloadOf = (ms: Manifest[], component: string): Obj =>
  ms.find((m) => ["Deployment", "StatefulSet", "DaemonSet"].includes(m.kind) && m.metadata.name === component) as Obj;
const find = (ms: Manifest[], kind: string, name: string): Obj | undefined => ms.find((m) => m.kind === kind && m.metadata.name === name) as Obj | undefined;

function mountsOf(workload: Obj): Mount[] {
  const spec = workload["spec"]["template"]["spec"];
  const volumes = Object.fromEntries((spec["volumes"] ?? []).map((v: Obj) => [v["name"], v]));
  return (spec["containers"][0]["volumeMounts"] ?? []).map((m: Obj): Mount => {
    const v = volumes[m["name"]];
    const source = v["persistentVolumeClaim"]
      ? `claim:${v["persistentVolumeClaim"]["claimName"]}`
      : v["secret"]
        ? `secret:${v["secret"]["secretName"]}${v["secret"]["items"] ? `:${v["secret"]["items"].map((i: Obj) => i["key"]).join(",")}` : ""}`
        : v["configMap"]
          ? `configmap:${v["configMap"]["name"]}`
          : `host:${v["hostPath"]["path"]}`;
    return { source, path: m["mountPath"], ...(m["subPath"] ? { subPath: m["subPath"] } : {}) };
  });
}

const ms = synth(EXAMPLE, FACTS);

for (const row of ORCHEST) {
  test(`renders ${row.component} of Orchest's example CR as Orchest's controller does`, (t) => {
    if (row.difference) t.true(differences.includes(row.difference.entry), `the README lists "${row.difference.entry}"`);
    const w = workloadOf(ms, row.component);
    t.truthy(w, `a workload named ${row.component}`);
    t.is(w["kind"], row.difference?.kind ?? row.kind);
    const pod = w["spec"]["template"]["spec"];
    const main = pod["containers"][0];
    t.deepEqual(pod["containers"].map((c: Obj) => c["name"]), row.containers, "containers");
    for (const c of pod["containers"]) t.is(c["image"], row.difference?.image ?? row.image, `image of ${c["name"]}`);
    t.deepEqual(
      (main["env"] ?? []).map((e: Obj) => e["name"]),
      [...[...row.env, ...(row.difference?.extraEnv ?? [])].sort(), ...(row.envAppended ?? [])],
      "env names, sorted as Orchest renders them",
    );
    t.deepEqual((main["ports"] ?? []).map((p: Obj) => p["containerPort"]), row.difference?.ports ?? row.ports, "ports");
    const remounts = row.difference?.remounts ?? {};
    t.deepEqual(mountsOf(w), [...row.mounts.map((m) => remounts[m.path] ?? m), ...(row.difference?.extraMounts ?? [])], "volumes and mounts");
    t.is(pod["serviceAccountName"], row.difference?.serviceAccount ?? row.serviceAccount, "service account");
    const service = find(ms, "Service", row.component);
    t.is(service?.["spec"]["ports"][0]["port"], row.service, "Service port");
    const ingress = find(ms, "Ingress", row.component);
    if (!row.ingress) t.is(ingress, undefined, "no Ingress");
    else {
      const rule = ingress!["spec"]["rules"][0];
      t.is(rule["host"], undefined, "any host: orchestHost is unset");
      t.deepEqual(rule["http"]["paths"][0], { path: row.ingress.path, pathType: "Prefix", backend: { service: { name: row.component, port: { number: 80 } } } });
      t.is(ingress!["spec"]["ingressClassName"], "nginx");
      for (const [k, v] of Object.entries(row.ingress.annotations)) t.is(ingress!["metadata"]["annotations"][k], v, k);
    }
  });
}

test("renders the claims of Orchest's example CR as Orchest's controller does", (t) => {
  // ensurePvc with SingleNode: userdir-pvc ReadWriteOnce, UserdirDefaultVolumeSize, the default StorageClass.
  const userdir = find(ms, "PersistentVolumeClaim", "userdir-pvc")!;
  t.deepEqual(userdir["spec"], { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } }, volumeMode: "Filesystem" });
  // Orchest's docker-registry addon (orchest-values.yaml): 25Gi, ReadWriteOnce.
  t.deepEqual(find(ms, "PersistentVolumeClaim", "docker-registry")!["spec"]["resources"], { requests: { storage: "25Gi" } });
  t.deepEqual(
    ms.filter((m) => m.kind === "PersistentVolumeClaim").map((m) => m.metadata.name),
    ["docker-registry", "userdir-pvc"],
    "no state claim unless separateOrchestStateFromUserDir",
  );
});

test("separates Orchest's state as Orchest does: orchest-state of 5Gi, the same sub-paths, celery's state dir", (t) => {
  const sep = synth({ ...EXAMPLE, spec: { singleNode: true, orchest: { resources: { separateOrchestStateFromUserDir: true } } } }, FACTS);
  const state = find(sep, "PersistentVolumeClaim", "orchest-state")!;
  t.deepEqual(state["spec"]["accessModes"], ["ReadWriteOnce"]);
  t.is(state["spec"]["resources"]["requests"]["storage"], "5Gi");
  t.deepEqual(mountsOf(workloadOf(sep, "orchest-database")), [{ source: "claim:orchest-state", path: "/userdir/.orchest/database/data", subPath: ".orchest/database/data" }]);
  t.deepEqual(mountsOf(workloadOf(sep, "rabbitmq-server")), [{ source: "claim:orchest-state", path: "/var/lib/rabbitmq/mnesia", subPath: ".orchest/rabbitmq-mnesia" }]);
  const celery = workloadOf(sep, "celery-worker");
  t.deepEqual(mountsOf(celery), [{ source: "claim:userdir-pvc", path: "/userdir" }, registryCa, { source: "claim:orchest-state", path: "/celery-state" }]);
  const env = Object.fromEntries(celery["spec"]["template"]["spec"]["containers"][0]["env"].map((e: Obj) => [e["name"], e["value"]]));
  t.is(env["CELERY_STATE_DIR"], "/celery-state");
  t.is(find(synth(EXAMPLE, FACTS), "Deployment", "celery-worker")!["spec"]["template"]["spec"]["containers"][0]["env"].find((e: Obj) => e["name"] === "CELERY_STATE_DIR")["value"], "/userdir/.orchest");
});

// [spec, component, name, value]: Orchest's env values, from setDefaultIfNotSpecified and getOrchestComponent.
const envValues: [OrchestCluster["spec"], string, string, string][] = [
  [{ singleNode: true }, "orchest-api", "SINGLE_NODE", "TRUE"],
  [{ singleNode: false }, "celery-worker", "SINGLE_NODE", "FALSE"],
  [{}, "orchest-api", "SINGLE_NODE", "TRUE"],
  [{ workerNodeSelector: { "node-role": "worker", a: "b" } }, "orchest-api", "WORKER_PLANE_SELECTOR", '{"a":"b","node-role":"worker"}'],
  [{ workerNodeSelector: { pool: "w" } }, "celery-worker", "WORKER_PLANE_SELECTOR", '{"pool":"w"}'],
  [{}, "orchest-webserver", "K8S_DISTRO", "k3s"],
  [{}, "orchest-api", "INGRESS_CLASS", "nginx"],
  [{}, "orchest-api", "CONTAINER_RUNTIME_SOCKET", "/var/run/containerd/containerd.sock"],
  [{}, "auth-server", "CONTAINER_RUNTIME_IMAGE", `docker.io/orchest/image-puller:${VERSION}`],
  [{ orchest: { env: [{ name: "FLASK_ENV", value: "development" }] } }, "orchest-api", "FLASK_ENV", "production"],
  [{ orchest: { orchestApi: { env: [{ name: "FLASK_ENV", value: "development" }] } } }, "orchest-api", "FLASK_ENV", "development"],
  [{ orchest: { env: [{ name: "ORCHEST_LOG_LEVEL", value: "DEBUG" }] } }, "orchest-database", "ORCHEST_LOG_LEVEL", "DEBUG"],
  [{ orchest: { orchestHost: "orchest.example.com", env: [{ name: "ORCHEST_FQDN", value: "old" }] } }, "orchest-webserver", "ORCHEST_FQDN", "orchest.example.com"],
  [{ orchest: { orchestApi: { env: [{ name: "SINGLE_NODE", value: "no" }] } } }, "orchest-api", "SINGLE_NODE", "TRUE"],
];
for (const [spec, component, name, value] of envValues) {
  test(`sets ${name}=${value} on ${component} for ${JSON.stringify(spec)}, as Orchest does`, (t) => {
    const plan = resolveContext({ ...EXAMPLE, spec }, FACTS);
    t.is(plan.components[component as keyof typeof plan.components].env.find((e) => e.name === name)?.value, value);
  });
}

test("leaves WORKER_PLANE_SELECTOR out without a worker selector, as Orchest does", (t) => {
  const plan = resolveContext(EXAMPLE, FACTS);
  t.false(plan.components["orchest-api"].env.some((e) => e.name === "WORKER_PLANE_SELECTOR"));
});

test("gives orchest-api Orchest's readiness probe (period 5 s, timeout 20 s, failure threshold 3)", (t) => {
  const probe = workloadOf(ms, "orchest-api")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"];
  t.like(probe, { periodSeconds: 5, timeoutSeconds: 20, successThreshold: 1, failureThreshold: 3 });
});

test("gives the database Orchest's readiness probe", (t) => {
  const probe = workloadOf(ms, "orchest-database")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"];
  t.deepEqual(probe, { exec: { command: ["pg_isready", "--username", "postgres"] }, initialDelaySeconds: 1, periodSeconds: 4, timeoutSeconds: 15, successThreshold: 1, failureThreshold: 10 });
});

test("gives Orchest's control plane its resolver options and CPU requests", (t) => {
  const cpu: Record<string, string[]> = { "orchest-database": ["100m"], "orchest-api": ["200m"], "celery-worker": ["250m"], "auth-server": ["50m"], "orchest-webserver": ["100m", "20m"] };
  for (const [component, requests] of Object.entries(cpu)) {
    const pod = workloadOf(ms, component)["spec"]["template"]["spec"];
    t.deepEqual(pod["dnsConfig"], { options: [{ name: "timeout", value: "10" }, { name: "attempts", value: "5" }] }, component);
    t.deepEqual(pod["containers"].map((c: Obj) => c["resources"]["requests"]["cpu"]), requests, component);
  }
  t.is(workloadOf(ms, "rabbitmq-server")["spec"]["template"]["spec"]["dnsConfig"], undefined, "Orchest gave the broker none");
});

test("labels every pod as Orchest's controller did, so that the orchest-cli finds them", (t) => {
  for (const row of ORCHEST) {
    const labels = workloadOf(ms, row.component)["spec"]["template"]["metadata"]["labels"];
    t.like(labels, { "controller.orchest.io/component": row.component, "controller.orchest.io/owner": row.component, "controller.orchest.io/part-of": "orchest" }, row.component);
  }
});

// [nodes, cluster annotations, the socket every runtime DaemonSet mounts]
const sockets: [ClusterFacts["nodes"], Record<string, string>, string, string][] = [
  [[{ name: "n", runtime: "containerd" }], {}, "/var/run/containerd/containerd.sock", "Orchest's default"],
  [[{ name: "n", runtime: "docker" }], {}, "/var/run/docker.sock", "Orchest's docker default"],
  [[{ name: "n", runtime: "containerd", criSocket: "unix:///run/k3s/containerd/containerd.sock" }], {}, "/run/k3s/containerd/containerd.sock", "kubeadm's cri-socket annotation, unix:// stripped"],
  [[{ name: "n", runtime: "docker", criSocket: "unix:///var/run/dockershim.sock" }], {}, "/var/run/docker.sock", "no cri-socket for docker, as Orchest"],
  [[{ name: "n", runtime: "containerd", criSocket: "/run/x.sock" }], { "orchest.io/container-runtime-socket": "/var/snap/microk8s/common/run/containerd.sock" }, "/var/snap/microk8s/common/run/containerd.sock", "the CR's annotation over kubeadm's"],
  [[{ name: "n", runtime: "containerd", socketPath: "/node/own.sock" }], { "orchest.io/container-runtime-socket": "/cluster.sock" }, "/node/own.sock", "a node's own annotation over the CR's"],
  [[], { "orchest.io/container-runtime-socket": "unix:///run/k3s/containerd/containerd.sock" }, "/run/k3s/containerd/containerd.sock", "the CR's annotation without known nodes"],
];
for (const [nodes, annotations, socket, why] of sockets) {
  test(`mounts the runtime socket ${socket} (${why})`, (t) => {
    const out = synth({ ...EXAMPLE, metadata: { ...EXAMPLE.metadata, annotations } }, { nodes });
    for (const ds of out.filter((m) => m.kind === "DaemonSet") as Obj[]) {
      t.true(mountsOf(ds).some((m) => m.source === `host:${socket}` && m.path === socket), ds["metadata"]["name"]);
      const env = ds["spec"]["template"]["spec"]["containers"][0]["env"].find((e: Obj) => e["name"] === "CONTAINER_RUNTIME_SOCKET");
      t.is(env["value"], socket);
    }
  });
}

// [socket, containerd's run and state directories as buildkit-daemon mounts them]
const distributions: [string, Mount[]][] = [
  [
    "/run/k3s/containerd/containerd.sock",
    [
      { source: "host:/var/run/k3s/containerd", path: "/run/containerd" },
      { source: "host:/var/lib/rancher/k3s/agent/containerd", path: "/var/lib/containerd" },
      { source: "host:/run/containerd/fifo", path: "/run/containerd/fifo" },
      { source: "host:/var/run/k3s/containerd", path: "/var/run/k3s/containerd" },
      { source: "host:/var/lib/rancher/k3s/agent/containerd", path: "/var/lib/rancher/k3s/agent/containerd" },
    ],
  ],
  [
    "/var/snap/microk8s/common/run/containerd.sock",
    [
      { source: "host:/var/snap/microk8s/common/run/containerd", path: "/run/containerd" },
      { source: "host:/var/snap/microk8s/common/var/lib/containerd", path: "/var/lib/containerd" },
      { source: "host:/run/containerd/fifo", path: "/run/containerd/fifo" },
      { source: "host:/var/snap/microk8s/common/run/containerd", path: "/var/snap/microk8s/common/run/containerd" },
      { source: "host:/var/snap/microk8s/common/var/lib/containerd", path: "/var/snap/microk8s/common/var/lib/containerd" },
    ],
  ],
];
for (const [socket, expected] of distributions) {
  test(`mounts containerd's directories of ${socket.includes("k3s") ? "k3s" : "microk8s"} into buildkit-daemon, as Orchest does`, (t) => {
    const out = synth(EXAMPLE, { nodes: [{ name: "n", runtime: "containerd", socketPath: socket }] });
    const mounts = mountsOf(workloadOf(out, "buildkit-daemon"));
    for (const m of expected) t.true(mounts.some((x) => x.source === m.source && x.path === m.path), JSON.stringify(m));
  });
}

test("runs no orchest-api-cleanup pod: Orchest's cleanup is a script of its Python API, which this project's api replaces", (t) => {
  // Orchest runs `python migration_manager.py db migrate && python cleanup.py` in its API's image when it stops
  // the API. orchest-api here is this project's program (no shell, no Python, no database of its own).
  t.true(differences.includes("No cleanup pod"), "the README lists it");
  const paused = synth({ ...EXAMPLE, spec: { singleNode: true, orchest: { pause: true } } }, FACTS);
  t.deepEqual([...ms, ...paused].filter((m) => m.kind === "Pod").map((m) => m.metadata.name), []);
  t.deepEqual(workloadOf(paused, "orchest-api")["spec"]["template"]["spec"]["containers"][0]["command"], ["orchest-api"], "this project's api, even while paused");
});

test("keeps the database's and the broker's images as written, even CalVer images of orchest/ (Orchest only fills them in when empty)", (t) => {
  const spec = { singleNode: true, orchest: { version: "v2022.11.1" }, postgres: { image: "orchest/orchest-database:v2022.10.5" }, rabbitMq: { image: "orchest/rabbitmq-server:v2022.10.5" } };
  const plan = resolveContext({ ...EXAMPLE, spec }, FACTS);
  t.is(plan.components["orchest-database"].image, "orchest/orchest-database:v2022.10.5");
  t.is(plan.components["rabbitmq-server"].image, "orchest/rabbitmq-server:v2022.10.5");
});

test("runs Orchest's log-streamer beside the webserver: its image, Orchest's command, the user directory, no env", (t) => {
  const pod = workloadOf(ms, "orchest-webserver")["spec"]["template"]["spec"];
  const [webserver, streamer] = pod["containers"];
  t.like(streamer, { name: "log-streamer", image: webserver["image"], command: ["python"], args: ["/orchest/services/orchest-webserver/app/scripts/log_streamer.py"] });
  t.is(streamer["env"], undefined, "Orchest gives it no env");
  t.deepEqual(streamer["volumeMounts"], webserver["volumeMounts"], "the webserver's mounts: the user directory");
});

test("gives orchest-api and celery-worker Orchest's ServiceAccounts, with namespaced rights instead of Orchest's cluster-wide */*/*", (t) => {
  // ensureRbacs: a ClusterRole allowing every verb on every resource, bound to each ServiceAccount.
  t.true(differences.includes("Least-privilege RBAC"), "the README lists it");
  for (const account of ["orchest-api", "celery-worker"]) {
    t.truthy(find(ms, "ServiceAccount", account), `ServiceAccount ${account}`);
    t.is(find(ms, "ClusterRoleBinding", account), undefined, `no ClusterRoleBinding ${account}`);
    t.is(find(ms, "RoleBinding", account)?.["roleRef"]["kind"], "Role", `${account} is bound to a namespaced Role`);
  }
  const rules = ms.filter((m) => m.kind === "ClusterRole" || m.kind === "Role").flatMap((m) => (m as Obj)["rules"] as Obj[]);
  t.false(rules.some((r) => [...(r["verbs"] ?? []), ...(r["resources"] ?? []), ...(r["apiGroups"] ?? [])].includes("*")), "no wildcard");
});
