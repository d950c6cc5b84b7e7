import test from "ava";
import YAML from "yaml";
import type { OrchestCluster } from "../crds/types/index.js";
import {
  ANNOTATIONS,
  DEPLOY_ORDER,
  LABELS,
  componentOf,
  projectImages,
  projectImagesBeside,
  synth,
  toYaml,
  waveOf,
  type ClusterFacts,
  type Manifest,
} from "./index.js";

type Obj = Record<string, any>;

const cluster = (spec: OrchestCluster["spec"] = {}, meta: Partial<NonNullable<OrchestCluster["metadata"]>> = {}): OrchestCluster => ({
  apiVersion: "orchest.io/v1alpha1",
  kind: "OrchestCluster",
  metadata: { name: "cluster-1", namespace: "orchest", ...meta },
  spec,
});

const containerd: ClusterFacts = { nodes: [{ name: "node-1", runtime: "containerd" }, { name: "node-2", runtime: "containerd" }] };
const docker: ClusterFacts = { nodes: [{ name: "node-1", runtime: "docker" }, { name: "node-2", runtime: "docker" }] };
const mixed: ClusterFacts = {
  nodes: [
    { name: "node-3", runtime: "containerd" },
    { name: "node-1", runtime: "docker" },
    { name: "node-2", runtime: "containerd" },
  ],
};

const find = (ms: Manifest[], kind: string, name: string): Obj => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name} in ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return m as Obj;
};
const has = (ms: Manifest[], kind: string, name: string): boolean => ms.some((x) => x.kind === kind && x.metadata.name === name);
const podSpec = (m: Obj): Obj => m["spec"]["template"]["spec"];
const container = (m: Obj): Obj => podSpec(m)["containers"][0];
const image = (ms: Manifest[], kind: string, name: string): string => container(find(ms, kind, name))["image"];
const envOf = (m: Obj): Record<string, Obj> => Object.fromEntries((container(m)["env"] as Obj[]).map((e) => [e["name"], e]));
const workloads = (ms: Manifest[]): Obj[] => ms.filter((m) => ["Deployment", "StatefulSet", "DaemonSet"].includes(m.kind)) as Obj[];

test("deploys Orchest's components with Orchest's default images, and this project's programs with its own", (t) => {
  const ms = synth(cluster({ orchest: { version: "v2022.10.5" } }), containerd);
  t.is(image(ms, "StatefulSet", "orchest-database"), "postgres:13.1");
  t.is(image(ms, "StatefulSet", "rabbitmq-server"), "rabbitmq:3");
  for (const name of ["celery-worker", "auth-server", "orchest-webserver"]) {
    t.is(image(ms, "Deployment", name), `orchest/${name}:v2022.10.5`);
  }
  // This project's programs, from the operator's own release.
  t.is(image(ms, "Deployment", "orchest-api"), projectImages().project);
  t.is(image(ms, "DaemonSet", "buildkit-daemon"), projectImages().buildkitd);
  t.is(image(ms, "DaemonSet", "node-agent"), projectImages().project);
  t.is(image(ms, "Deployment", "docker-registry"), projectImages().registry);
  for (const s of ["orchest-database", "rabbitmq-server", "orchest-api", "auth-server", "orchest-webserver", "docker-registry"]) {
    t.true(has(ms, "Service", s), `Service ${s}`);
  }
});

test("moves non-custom images and keeps custom ones on version update", (t) => {
  const spec = (version: string): OrchestCluster["spec"] => ({
    orchest: {
      version,
      orchestApi: { image: "orchest/orchest-api:v2022.10.5" },
      orchestWebServer: { image: "registry.acme.io/orchest/orchest-webserver:v2022.10.5" },
      authServer: { image: "docker.io/acme/auth-server:v2022.10.5" },
      celeryWorker: { image: "orchest/celery-worker:debug" },
      nodeAgent: { image: "acme/node-agent:mine" },
    },
    postgres: { image: "postgres:15" },
  });
  const before = synth(cluster(spec("v2022.10.5")), containerd);
  const after = synth(cluster(spec("v2022.11.1")), containerd);
  t.is(image(before, "Deployment", "orchest-webserver"), "registry.acme.io/orchest/orchest-webserver:v2022.10.5");
  t.is(image(before, "Deployment", "celery-worker"), "orchest/celery-worker:debug");
  t.is(image(after, "Deployment", "orchest-api"), projectImages().project, "this project's api, pinned to the operator's release, not to the Orchest version");
  t.is(image(after, "DaemonSet", "node-agent"), projectImages().project, "node-agent is always the operator's own image");
  t.is(image(after, "Deployment", "orchest-webserver"), "registry.acme.io/orchest/orchest-webserver:v2022.10.5", "other registry");
  t.is(image(after, "Deployment", "auth-server"), "docker.io/acme/auth-server:v2022.10.5", "other repository");
  t.is(image(after, "Deployment", "celery-worker"), "orchest/celery-worker:debug", "non-CalVer tag");
  t.is(image(after, "StatefulSet", "orchest-database"), "postgres:15", "the database's image is never subject to the version");
});

test("runs node-agent and buildkit-daemon on the operator's own images, whatever the CR says, and the api unless its image is custom; the api's builders, git imports and sessions on the release's", (t) => {
  const oc = cluster({ orchest: { version: "v2022.10.5", nodeAgent: { image: "acme/node-agent:mine" }, buildkitDaemon: { image: "acme/buildkitd:1" }, orchestApi: { image: "orchest/orchest-api:v2022.10.5" } } });
  const own = projectImagesBeside("registry.example.com/orchest-gitops/orchest-gitops:0.1.0");
  const ms = synth(oc, mixed, { ownImages: own });
  const byComponent: Record<string, string> = { "node-agent": own.project, "buildkit-daemon": own.buildkitd };
  for (const m of ms.filter((x) => x.kind === "DaemonSet")) t.is(container(m as Obj)["image"], byComponent[componentOf(m)!], m.metadata.name);
  t.is(image(ms, "Deployment", "orchest-api"), own.project, "Orchest's own api image is not custom: this project's api runs");
  t.is(image(ms, "Deployment", "docker-registry"), "registry.example.com/orchest-gitops/registry:0.1.0");
  const apiArgs = container(ms.find((m) => m.kind === "Deployment" && m.metadata.name === "orchest-api") as Obj)["args"] as string[];
  for (const [flag, ref] of [["builder-image-buildctl", own.builderBuildctl], ["builder-image-docker", own.builderDocker], ["git-image", "registry.example.com/orchest-gitops/git:0.1.0"], ["jupyter-image", "registry.example.com/orchest-gitops/jupyter-server:0.1.0"]]) {
    t.true(apiArgs.includes(`--${flag}=${ref}`), `--${flag}=${ref} in ${apiArgs.join(" ")}`);
  }
  const custom = synth(cluster({ orchest: { orchestApi: { image: "registry.acme.io/team/api:debug" } } }), mixed, { ownImages: own });
  t.is(image(custom, "Deployment", "orchest-api"), "registry.acme.io/team/api:debug", "a custom api image is kept");
});

test("pulls non-custom images from spec.orchest.registry", (t) => {
  const ms = synth(cluster({ orchest: { version: "v2022.10.5", registry: "registry.example.com:5000" } }), containerd);
  t.is(image(ms, "Deployment", "orchest-webserver"), "registry.example.com:5000/orchest/orchest-webserver:v2022.10.5");
});

test("uses the default version when spec.orchest.version is unset, without touching the spec", (t) => {
  const oc = cluster({});
  const snapshot = JSON.stringify(oc);
  const ms = synth(oc, containerd, { defaultVersion: "v2023.01.1" });
  t.is(image(ms, "Deployment", "orchest-webserver"), "orchest/orchest-webserver:v2023.01.1");
  t.is(JSON.stringify(oc), snapshot, "the input OrchestCluster is not modified");
});

test("gives the same input byte-identical YAML", (t) => {
  const oc = cluster({
    orchest: { version: "v2022.10.5", orchestHost: "orchest.example.com", env: [{ name: "B", value: "2" }, { name: "A", value: "1" }] },
    controlNodeSelector: { zone: "a", role: "control" },
  });
  const a = toYaml(synth(oc, mixed));
  const b = toYaml(synth(JSON.parse(JSON.stringify(oc)) as OrchestCluster, { nodes: [...mixed.nodes].reverse() }));
  t.is(a, b);
  t.true(a.length > 10_000);
});

test("renders YAML that parses back to the manifests", (t) => {
  const ms = synth(cluster({ orchest: { version: "v2022.10.5" } }), mixed);
  const docs = YAML.parseAllDocuments(toYaml(ms)).map((d) => d.toJSON());
  t.deepEqual(docs, JSON.parse(JSON.stringify(ms)));
});

test("labels every object with its cluster, component and manager", (t) => {
  const ms = synth(cluster({ orchest: { version: "v2022.10.5", orchestHost: "o.example.com" } }), mixed);
  for (const m of ms) {
    const l = m.metadata.labels ?? {};
    t.is(l[LABELS.managedBy], "orchest-operator", `${m.kind}/${m.metadata.name}`);
    t.is(l[LABELS.partOf], "orchest");
    t.is(l[LABELS.cluster], "cluster-1");
    t.truthy(l[LABELS.orchestComponent]);
    t.is(m.metadata.annotations?.[ANNOTATIONS.deployWave], m.metadata.annotations?.[ANNOTATIONS.argoSyncWave]);
  }
  for (const w of workloads(ms)) {
    const tl = w["spec"]["template"]["metadata"]["labels"];
    t.is(tl[LABELS.cluster], "cluster-1");
    t.false("cdk8s.io/metadata.addr" in tl, "no construct-path label on pods");
    for (const [k, v] of Object.entries(w["spec"]["selector"]["matchLabels"])) t.is(tl[k], v);
  }
});

test("orders objects by Orchest's deployment waves", (t) => {
  const ms = synth(cluster({ orchest: { version: "v2022.10.5" } }), containerd);
  const waves = ms.map(waveOf);
  t.deepEqual(waves, [...waves].sort((a, b) => a - b), "sorted by wave");
  const firstWave = (c: string): number => waveOf(ms.find((m) => componentOf(m) === c)!);
  DEPLOY_ORDER.forEach((c, i) => t.is(firstWave(c), i + 1, c));
  t.is(firstWave("docker-registry"), 0);
  t.is(firstWave("shared"), 0);
  const api = ms.filter((m) => componentOf(m) === "orchest-api").map((m) => m.kind);
  t.true(api.indexOf("ServiceAccount") < api.indexOf("Deployment"), "RBAC before the workload");
});

test("creates buildkit-daemon only on containerd clusters, privileged, with the buildkitd socket on the host", (t) => {
  t.false(synth(cluster(), docker).some((m) => componentOf(m) === "buildkit-daemon"), "no buildkit on docker clusters");
  const ds = find(synth(cluster(), containerd), "DaemonSet", "buildkit-daemon");
  t.true(container(ds)["securityContext"]["privileged"]);
  const vols = Object.fromEntries((podSpec(ds)["volumes"] as Obj[]).map((v) => [v["name"], v]));
  t.is(vols["run-orchest-buildkit"]!["hostPath"]["path"], "/run/orchest_buildkit");
  t.is(vols["containerd-socket"]!["hostPath"]["type"], "Socket");
  const mounts = container(ds)["volumeMounts"] as Obj[];
  t.is(mounts.find((m) => m["name"] === "orchest-buildkit-storage")!["mountPropagation"], "Bidirectional");
  t.true((container(ds)["args"] as string[]).includes("--addr=unix:///run/orchest_buildkit/buildkitd.sock"));
  t.is(podSpec(ds)["affinity"], undefined, "uniform clusters need no runtime affinity");
});

test("mounts the runtime socket into node-agent", (t) => {
  const ds = find(synth(cluster(), docker), "DaemonSet", "node-agent");
  const vol = (podSpec(ds)["volumes"] as Obj[]).find((v) => v["name"] === "runtime-socket")!;
  t.deepEqual(vol["hostPath"], { path: "/var/run/docker.sock", type: "Socket" });
  const env = envOf(ds);
  t.is(env["CONTAINER_RUNTIME"]!["value"], "docker");
  t.deepEqual(env["CLUSTER_NODE"]!["valueFrom"], { fieldRef: { fieldPath: "spec.nodeName" } });
});

test("runs mixed docker/containerd clusters with one node-agent per runtime confined by affinity", (t) => {
  const ms = synth(cluster(), mixed);
  t.false(has(ms, "DaemonSet", "node-agent"));
  const c = find(ms, "DaemonSet", "node-agent-containerd");
  const d = find(ms, "DaemonSet", "node-agent-docker");
  const terms = (m: Obj): Obj[] => podSpec(m)["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
  t.deepEqual(terms(c), [
    { matchExpressions: [{ key: "orchest.io/container-runtime", operator: "In", values: ["containerd"] }] },
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-2"] }] },
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-3"] }] },
  ]);
  t.deepEqual(terms(d)[1]!, { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] });
  t.is(envOf(c)["CONTAINER_RUNTIME_SOCKET"]!["value"], "/var/run/containerd/containerd.sock");
  t.is(envOf(d)["CONTAINER_RUNTIME_SOCKET"]!["value"], "/var/run/docker.sock");
  t.notDeepEqual(c["spec"]["selector"], d["spec"]["selector"], "the DaemonSets select disjoint pods");
  const bk = find(ms, "DaemonSet", "buildkit-daemon");
  t.deepEqual(terms(bk), terms(c), "buildkit-daemon only on containerd nodes");
  t.false("CONTAINER_RUNTIME" in envOf(find(ms, "Deployment", "orchest-api")), "no single runtime claimed for the API");
});

test("splits nodes whose runtime socket is overridden into their own DaemonSet", (t) => {
  const ms = synth(cluster(), {
    nodes: [
      { name: "a", runtime: "containerd" },
      { name: "b", runtime: "containerd", socketPath: "/run/k3s/containerd/containerd.sock" },
    ],
  });
  const names = ms.filter((m) => m.kind === "DaemonSet").map((m) => m.metadata.name);
  t.is(names.filter((n) => n.startsWith("node-agent-containerd")).length, 2);
  t.is(names.filter((n) => n.startsWith("buildkit-daemon-containerd")).length, 2);
  const k3s = ms.find((m) => m.kind === "DaemonSet" && m.metadata.name.startsWith("node-agent-containerd-")) as Obj;
  t.is(envOf(k3s)["CONTAINER_RUNTIME_SOCKET"]!["value"], "/run/k3s/containerd/containerd.sock");
});

test("only counts nodes selected by spec.workerNodeSelector when choosing runtimes", (t) => {
  const facts: ClusterFacts = {
    nodes: [
      { name: "w1", runtime: "containerd", labels: { pool: "workers" } },
      { name: "c1", runtime: "docker", labels: { pool: "control" } },
    ],
  };
  const ms = synth(cluster({ workerNodeSelector: { pool: "workers" } }), facts);
  t.true(has(ms, "DaemonSet", "node-agent"));
  t.deepEqual(podSpec(find(ms, "DaemonSet", "node-agent"))["nodeSelector"], { pool: "workers" });
});

test("assumes the default runtime when no node is known", (t) => {
  t.true(has(synth(cluster(), { nodes: [] }), "DaemonSet", "buildkit-daemon"));
  t.false(has(synth(cluster(), { nodes: [], defaultRuntime: "docker" }), "DaemonSet", "buildkit-daemon"));
});

test("always creates Orchest's Ingresses, for spec.orchest.orchestHost when set, with the detected ingress class", (t) => {
  const anyHost = synth(cluster(), { ...containerd, ingressClass: "ingress-nginx" });
  t.deepEqual(anyHost.filter((m) => m.kind === "Ingress").map((m) => m.metadata.name).sort(), ["auth-server", "orchest-api", "orchest-webserver"]);
  const web = find(anyHost, "Ingress", "orchest-webserver");
  t.is(web["spec"]["ingressClassName"], "ingress-nginx");
  t.is(web["spec"]["rules"][0]["host"], undefined, "no host: the rule matches any host");
  t.is(envOf(find(anyHost, "Deployment", "orchest-api"))["INGRESS_CLASS"]!["value"], "ingress-nginx");
  t.is(find(synth(cluster(), containerd), "Ingress", "orchest-webserver")["spec"]["ingressClassName"], "nginx", "nginx when none is detected");

  const ms = synth(cluster({ orchest: { orchestHost: "orchest.example.com" } }), containerd);
  const ing = find(ms, "Ingress", "orchest-webserver");
  t.is(ing["spec"]["rules"][0]["host"], "orchest.example.com");
  t.is(ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"], "orchest-webserver");
  t.is(envOf(find(ms, "Deployment", "orchest-api"))["ORCHEST_FQDN"]!["value"], "orchest.example.com");
});

test("gives orchest-api a service account with namespaced RBAC and node read access", (t) => {
  const ms = synth(cluster(), containerd);
  const dep = find(ms, "Deployment", "orchest-api");
  t.is(podSpec(dep)["serviceAccountName"], "orchest-api");
  t.true(podSpec(dep)["automountServiceAccountToken"]);
  const role = find(ms, "Role", "orchest-api");
  t.true((role["rules"] as Obj[]).some((r) => r["resources"].includes("pods") && r["verbs"].includes("create")));
  const cr = find(ms, "ClusterRole", "orchest-orchest-cluster-1-orchest-api");
  t.deepEqual(cr["rules"], [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }]);
  t.is(find(ms, "RoleBinding", "celery-worker")["roleRef"]["name"], "orchest-api");
  t.false(podSpec(find(ms, "Deployment", "orchest-webserver"))["automountServiceAccountToken"], "no API token where none is needed");
});

test("creates the docker-registry with its PVC, Service and TLS Secret", (t) => {
  const ms = synth(cluster(), containerd);
  t.true(has(ms, "Deployment", "docker-registry"));
  t.is(find(ms, "PersistentVolumeClaim", "docker-registry")["spec"]["resources"]["requests"]["storage"], "25Gi");
  t.is(find(ms, "Service", "docker-registry")["spec"]["ports"][0]["port"], 443);
  const secret = find(ms, "Secret", "registry-tls-secret");
  t.is(secret["metadata"]["annotations"][ANNOTATIONS.tlsGenerate], "true", "operator fills the certificate");
  t.is(secret["stringData"], undefined);
  const withTls = synth(cluster(), {
    ...containerd,
    registry: { clusterIP: "10.96.0.10", tls: { certificate: "CERT", privateKey: "KEY", caCertificate: "CA" } },
  });
  t.deepEqual(find(withTls, "Secret", "registry-tls-secret")["stringData"], { "ca.crt": "CA", "tls.crt": "CERT", "tls.key": "KEY" });
  t.is(find(withTls, "Service", "docker-registry")["spec"]["clusterIP"], "10.96.0.10");
});

test("a new registry certificate rolls every pod that reads the registry's TLS Secret, and nothing else", (t) => {
  const withTls = (certificate: string, caCertificate: string) =>
    synth(cluster({ orchest: { orchestApi: { image: "orchest/orchest-api:v2022.10.5" } } }), {
      ...containerd,
      registry: { clusterIP: "10.96.0.10", tls: { certificate, privateKey: "KEY", caCertificate } },
    });
  const digests = (ms: Manifest[]) =>
    Object.fromEntries(
      ms
        .filter((m) => ["Deployment", "DaemonSet", "StatefulSet"].includes(m.kind))
        .map((m) => [m.metadata.name, (m as Obj)["spec"]["template"]["metadata"]["annotations"]?.[ANNOTATIONS.registryTls]]),
    );
  const first = digests(withTls("CERT", "CA"));
  const readers = Object.keys(first).filter((name) => first[name] !== undefined).sort();
  t.deepEqual(readers, ["buildkit-daemon", "celery-worker", "docker-registry", "node-agent", "orchest-api"], "the registry serves it, the others trust its CA");
  t.deepEqual(digests(withTls("CERT", "CA")), first, "the same certificate rolls nothing");
  const renewed = digests(withTls("CERT-2", "CA"));
  const caRenewed = digests(withTls("CERT", "CA-2"));
  for (const name of readers) t.not(renewed[name], first[name], `${name} rolls for a new certificate`);
  for (const name of readers) t.not(caRenewed[name], first[name], `${name} rolls for a new CA`);
  t.deepEqual(Object.values(digests(synth(cluster(), containerd))).filter((digest) => digest !== undefined), [], "no digest without a certificate");
});

test("registries named plain-HTTP on the OrchestCluster are plain HTTP to buildkitd, and a change of them rolls it", (t) => {
  const withRegistries = (value?: string) => synth(cluster({}, value === undefined ? {} : { annotations: { [ANNOTATIONS.plainHttpRegistries]: value } }), containerd);
  const config = (ms: Manifest[]) => find(ms, "ConfigMap", "buildkit-daemon-config")["data"]["buildkitd.toml"] as string;
  const digest = (ms: Manifest[]) => find(ms, "DaemonSet", "buildkit-daemon")["spec"]["template"]["metadata"]["annotations"][ANNOTATIONS.configDigest];
  const plain = withRegistries("mirror.internal:5000, 10.1.2.3:5000");
  t.regex(config(plain), /\[registry\."10\.1\.2\.3:5000"\]\n {2}http = true\n\[registry\."mirror\.internal:5000"\]\n {2}http = true\n$/);
  t.regex(config(plain), /ca = \["\/tls-secret\/ca\.crt"\]/, "the in-cluster registry keeps its CA");
  t.false(config(withRegistries()).includes("http = true"));
  t.not(digest(plain), digest(withRegistries()), "a new config rolls buildkitd");
  t.is(digest(withRegistries("10.1.2.3:5000 mirror.internal:5000")), digest(plain), "the same registries, the same config");
});

test("creates the user directory PVC with Orchest's default size, and a state PVC when separated", (t) => {
  const ms = synth(cluster(), containerd);
  const userdir = find(ms, "PersistentVolumeClaim", "userdir-pvc");
  t.is(userdir["spec"]["resources"]["requests"]["storage"], "50Gi");
  t.deepEqual(userdir["spec"]["accessModes"], ["ReadWriteOnce"], "a single node by default, as in Orchest");
  t.deepEqual(find(synth(cluster({ singleNode: false }), containerd), "PersistentVolumeClaim", "userdir-pvc")["spec"]["accessModes"], ["ReadWriteMany"]);
  t.false(has(ms, "PersistentVolumeClaim", "orchest-state"));
  const db = find(ms, "StatefulSet", "orchest-database");
  t.is((podSpec(db)["volumes"] as Obj[])[0]!["persistentVolumeClaim"]["claimName"], "userdir-pvc");
  t.is((container(db)["volumeMounts"] as Obj[])[0]!["subPath"], ".orchest/database/data");

  const sep = synth(
    cluster({
      singleNode: true,
      orchest: {
        resources: { userDirVolume: { volumeSize: "1.5Ti", storageClass: "fast" }, separateOrchestStateFromUserDir: true, orchestStateVolumeSize: "20Gi" },
      },
    }),
    containerd,
  );
  const u = find(sep, "PersistentVolumeClaim", "userdir-pvc");
  t.is(u["spec"]["resources"]["requests"]["storage"], "1.5Ti");
  t.is(u["spec"]["storageClassName"], "fast");
  t.deepEqual(u["spec"]["accessModes"], ["ReadWriteOnce"], "single node");
  t.is(find(sep, "PersistentVolumeClaim", "orchest-state")["spec"]["resources"]["requests"]["storage"], "20Gi");
  const sdb = find(sep, "StatefulSet", "orchest-database");
  t.is((podSpec(sdb)["volumes"] as Obj[])[0]!["persistentVolumeClaim"]["claimName"], "orchest-state");
  t.is((container(sdb)["volumeMounts"] as Obj[])[0]!["subPath"], ".orchest/database/data", "the same path in both layouts, as Orchest");
});

test("keeps the immutable fields of claims that exist already", (t) => {
  const ms = synth(cluster({ singleNode: true, orchest: { resources: { userDirVolume: { storageClass: "fast" } } } }), {
    ...containerd,
    claims: { "userdir-pvc": { accessModes: ["ReadWriteMany"], storageClassName: "standard", volumeMode: "Filesystem" }, "docker-registry": { accessModes: ["ReadWriteOnce"], storageClassName: "standard" } },
  });
  const userdir = find(ms, "PersistentVolumeClaim", "userdir-pvc");
  t.deepEqual(userdir["spec"]["accessModes"], ["ReadWriteMany"]);
  t.is(userdir["spec"]["storageClassName"], "standard");
  t.is(find(ms, "PersistentVolumeClaim", "docker-registry")["spec"]["storageClassName"], "standard");
});

test("merges environment: defaults, then spec.orchest.env, then the component's env", (t) => {
  const ms = synth(
    cluster({
      orchest: {
        env: [{ name: "ORCHEST_LOG_LEVEL", value: "DEBUG" }, { name: "SHARED", value: "s" }],
        orchestApi: { env: [{ name: "SHARED", value: "api" }, { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] },
      },
    }),
    containerd,
  );
  const api = envOf(find(ms, "Deployment", "orchest-api"));
  t.is(api["ORCHEST_LOG_LEVEL"]!["value"], "DEBUG");
  t.is(api["SHARED"]!["value"], "api");
  t.deepEqual(api["FROM_SECRET"]!["valueFrom"], { secretKeyRef: { name: "s", key: "k" } });
  t.is(api["FLASK_ENV"]!["value"], "production");
  t.is(envOf(find(ms, "Deployment", "orchest-webserver"))["SHARED"]!["value"], "s");
  const names = (container(find(ms, "Deployment", "orchest-api"))["env"] as Obj[]).map((e) => e["name"]);
  t.is(new Set(names).size, names.length, "no duplicate names");
});

test("schedules control and worker planes by their node selectors", (t) => {
  const ms = synth(
    cluster({
      controlNodeSelector: { role: "control" },
      workerNodeSelector: { role: "worker" },
      orchest: { orchestApi: { nodeSelector: { disk: "ssd" } } },
    }),
    containerd,
  );
  t.deepEqual(podSpec(find(ms, "Deployment", "orchest-api"))["nodeSelector"], { disk: "ssd", role: "control" });
  t.deepEqual(podSpec(find(ms, "StatefulSet", "orchest-database"))["nodeSelector"], { role: "control" });
  t.deepEqual(podSpec(find(ms, "Deployment", "docker-registry"))["nodeSelector"], { role: "control" });
  t.deepEqual(podSpec(find(ms, "DaemonSet", "node-agent"))["nodeSelector"], { role: "worker" });
});

test("keeps every pod of a single-node cluster on one node (the default)", (t) => {
  const ms = synth(cluster(), containerd);
  const aff = podSpec(find(ms, "Deployment", "orchest-api"))["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0];
  t.is(aff["topologyKey"], "kubernetes.io/hostname");
  t.is(envOf(find(ms, "Deployment", "orchest-api"))["SINGLE_NODE"]!["value"], "TRUE");
  const multi = synth(cluster({ singleNode: false }), containerd);
  t.is(podSpec(find(multi, "Deployment", "orchest-api"))["affinity"], undefined);
  t.is(envOf(find(multi, "Deployment", "celery-worker"))["SINGLE_NODE"]!["value"], "FALSE");
});

test("rolls stateless components without ever scaling them to zero", (t) => {
  const ms = synth(cluster(), containerd);
  for (const name of ["orchest-api", "celery-worker", "auth-server", "orchest-webserver"]) {
    const d = find(ms, "Deployment", name);
    t.is(d["spec"]["replicas"], 1);
    t.deepEqual(d["spec"]["strategy"], { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }, type: "RollingUpdate" }, name);
  }
});

test("rolls DaemonSets at the pace of their programs: a startup probe each second, then the readiness check at once", (t) => {
  // The kubelet runs a readiness probe the moment a startup probe succeeds; without one, a pod that was not
  // answering at its first readiness probe waits a whole period (10 s, 30 s) on every node of a rollout.
  const ms = synth(cluster(), containerd);
  const probes = (name: string) => {
    const c = container(find(ms, "DaemonSet", name));
    return { startup: c["startupProbe"], readiness: c["readinessProbe"] };
  };
  const agent = probes("node-agent");
  t.like(agent.startup, { httpGet: { path: "/healthz" }, periodSeconds: 1 });
  t.true(agent.startup.failureThreshold * agent.startup.periodSeconds >= 60, "a minute to start on a loaded node");
  t.like(agent.readiness, { httpGet: { path: "/readyz" }, periodSeconds: 10 });
  const buildkit = probes("buildkit-daemon");
  t.like(buildkit.startup, { exec: { command: ["buildctl", "--addr", "unix:///run/orchest_buildkit/buildkitd.sock", "debug", "workers"] }, periodSeconds: 1 });
  t.true(buildkit.startup.failureThreshold * buildkit.startup.periodSeconds >= 60, "a minute to start on a loaded node");
  t.like(buildkit.readiness, { periodSeconds: 30 });
  t.is(buildkit.readiness.initialDelaySeconds, undefined, "a delayed readiness check would skip the kubelet's run at startup");
});

test("scales everything to zero while paused and keeps DaemonSet pods off all nodes", (t) => {
  const ms = synth(cluster({ orchest: { pause: true } }), containerd);
  for (const w of workloads(ms)) {
    if (w["kind"] === "DaemonSet") t.is(podSpec(w)["nodeSelector"]["orchest.io/paused"], "true", w["metadata"]["name"]);
    else t.is(w["spec"]["replicas"], 0, w["metadata"]["name"]);
  }
  t.true(has(ms, "PersistentVolumeClaim", "userdir-pvc"), "data stays");
});

test("stamps the operator's last restart on every pod template, and nothing for the restart request itself", (t) => {
  const a = synth(cluster(), { ...containerd, restartedAt: "2024-01-01T00:00:00Z" });
  for (const w of workloads(a)) t.is(w["spec"]["template"]["metadata"]["annotations"][ANNOTATIONS.restartedAt], "2024-01-01T00:00:00Z");
  const b = synth(cluster({}, { annotations: { [ANNOTATIONS.restart]: "true" } }), containerd);
  for (const w of workloads(b)) {
    const annotations = w["spec"]["template"]["metadata"]["annotations"] ?? {};
    t.deepEqual([annotations[ANNOTATIONS.restart], annotations[ANNOTATIONS.restartedAt]], [undefined, undefined], "the annotation is a request to the operator");
  }
});

test("runs Orchest's root images: no non-root enforcement, no read-only root", (t) => {
  for (const w of workloads(synth(cluster(), containerd))) {
    const sc = container(w)["securityContext"];
    t.false(sc["runAsNonRoot"], w["metadata"]["name"]);
    t.false(sc["readOnlyRootFilesystem"]);
    t.is(container(w)["imagePullPolicy"], "IfNotPresent");
    t.truthy(container(w)["resources"]["requests"]);
    t.is(container(w)["resources"]["limits"], undefined, "no CPU throttling by default");
  }
});

test("places objects in the cluster's namespace and names cluster-scoped ones uniquely", (t) => {
  const ms = synth(cluster({}, { namespace: "team-a" }), containerd);
  for (const m of ms) {
    if (m.kind === "ClusterRole" || m.kind === "ClusterRoleBinding") {
      t.is(m.metadata.namespace, undefined);
      t.true(m.metadata.name.startsWith("orchest-team-a-cluster-1-"));
    } else t.is(m.metadata.namespace, "team-a");
  }
  const noNs = synth(cluster({}, { namespace: undefined as unknown as string }), containerd);
  t.is(noNs.find((m) => m.kind === "Deployment")!.metadata.namespace, "orchest");
});

test("refuses a cluster without a name, saying what to do", (t) => {
  const err = t.throws(() => synth({ metadata: {} }, containerd));
  t.regex(err!.message, /metadata\.name/);
});

test("emits none of the zero values the API server drops (no perpetual diff)", (t) => {
  const ms = synth(cluster({ orchest: { orchestHost: "o.example.com" } }), mixed) as Obj[];
  const text = JSON.stringify(ms);
  t.false(text.includes('"resourceNames":[]'));
  t.false(text.includes('"apiGroup":""'));
  t.false(text.includes('"externalIPs":[]'));
  t.false(text.includes('"stringData":{}'));
  t.false(text.includes('"hostNetwork":false'));
  t.false(text.includes('"minReadySeconds":0'));
  t.false(text.includes('"value":""'), "an empty env value (K8S_DISTRO undetected) is stored as none");
  t.false(text.includes('"readOnly":false'));
  t.false(text.includes("cdk8s.io/metadata.addr"));
});

test("points every Service at the pods of its component", (t) => {
  const ms = synth(cluster(), mixed);
  for (const svc of ms.filter((m) => m.kind === "Service") as Obj[]) {
    const sel = svc["spec"]["selector"] as Record<string, string>;
    const matching = workloads(ms).filter((w) =>
      Object.entries(sel).every(([k, v]) => w["spec"]["template"]["metadata"]["labels"][k] === v),
    );
    t.is(matching.length, 1, `Service ${svc["metadata"]["name"]} selects ${JSON.stringify(sel)}`);
    t.is(matching[0]!["metadata"]["name"], svc["metadata"]["name"]);
  }
});
