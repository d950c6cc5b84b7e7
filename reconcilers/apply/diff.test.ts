import test from "ava";
import jsonpatch from "fast-json-patch";
import type { KubeObject } from "../client/object.js";
import { diff } from "./diff.js";
import { readLastApplied, withLastApplied } from "./last-applied.js";
import { normalizeDesired } from "./normalize.js";
import { parseQuantity } from "./quantity.js";

const ANNOTATION = "test/last-applied";

function deployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "ns", labels: { app: "web" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              ports: [{ containerPort: 80 }],
              env: [{ name: "A", value: "1" }],
              resources: { requests: { cpu: "0.5", memory: "1024Mi" } },
            },
          ],
        },
      },
    },
  };
}

/** What the API server returns for `desired` once applied: its defaults and canonical spellings added. */
function serverView(desired: KubeObject): KubeObject {
  const live = structuredClone(desired) as any;
  Object.assign(live.metadata, { uid: "u1", resourceVersion: "42", generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" });
  live.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
  live.spec.revisionHistoryLimit = 10;
  live.spec.progressDeadlineSeconds = 600;
  const pod = live.spec.template.spec;
  Object.assign(pod, { restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler" });
  for (const c of pod.containers) {
    Object.assign(c, { imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" });
    if (c.resources) c.resources.requests = { cpu: "500m", memory: "1Gi" };
  }
  live.status = { replicas: 2, readyReplicas: 2 };
  return live;
}

function prepare(obj: KubeObject): KubeObject {
  return withLastApplied(normalizeDesired(obj), ANNOTATION);
}

test("server defaults and canonical quantities are not drift", (t) => {
  const desired = prepare(deployment());
  t.deepEqual(diff(serverView(desired), desired, readLastApplied(serverView(desired), ANNOTATION)), []);
});

test("a changed image, replica count and label are reverted, and nothing else is touched", (t) => {
  const desired = prepare(deployment());
  const live = serverView(desired) as any;
  live.spec.replicas = 5;
  live.spec.template.spec.containers[0].image = "evil:latest";
  live.metadata.labels.app = "other";
  live.metadata.labels["someone-else"] = "keeps-this";
  const patch = diff(live, desired, readLastApplied(live, ANNOTATION));
  t.deepEqual(patch[0], { op: "test", path: "/metadata/resourceVersion", value: "42" }, "guarded by resourceVersion");
  const patched = jsonpatch.applyPatch(structuredClone(live), patch).newDocument;
  t.is(patched.spec.replicas, 2);
  t.is(patched.spec.template.spec.containers[0].image, "nginx:1.27");
  t.is(patched.metadata.labels.app, "web");
  t.is(patched.metadata.labels["someone-else"], "keeps-this");
  t.is(patch.length, 4);
});

test("a field removed from desired is removed from live, a defaulted one is kept", (t) => {
  const before = prepare(deployment());
  const live = serverView(before);
  const next = deployment() as any;
  next.spec.template.spec.containers[0].env = [];
  delete next.spec.replicas;
  delete next.metadata.labels;
  const desired = prepare(next);
  const patched = jsonpatch.applyPatch(structuredClone(live), diff(live, desired, readLastApplied(live, ANNOTATION))).newDocument as any;
  t.deepEqual(patched.spec.template.spec.containers[0].env, []);
  t.false("replicas" in patched.spec);
  t.false("labels" in patched.metadata && "app" in patched.metadata.labels);
  t.is(patched.spec.revisionHistoryLimit, 10);
  t.is(patched.spec.template.spec.containers[0].terminationMessagePath, "/dev/termination-log");
});

test("named list items are merged by name: ours updated, dropped ones removed, others' kept", (t) => {
  const first = deployment() as any;
  first.spec.template.spec.containers.push({ name: "sidecar", image: "busybox" });
  const live = serverView(prepare(first)) as any;
  live.spec.template.spec.containers.push({ name: "injected", image: "mesh-proxy" });
  const next = deployment() as any;
  next.spec.template.spec.containers[0].env.push({ name: "B", value: "2" });
  const desired = prepare(next);
  const patched = jsonpatch.applyPatch(structuredClone(live), diff(live, desired, readLastApplied(live, ANNOTATION))).newDocument as any;
  t.deepEqual(
    patched.spec.template.spec.containers.map((c: any) => c.name),
    ["web", "injected"],
  );
  t.deepEqual(patched.spec.template.spec.containers[0].env, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
});

test("Secret stringData equals the server's base64 data", (t) => {
  const desired = prepare({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ns" }, stringData: { password: "hunter2" } });
  const live: KubeObject = { ...structuredClone(desired), type: "Opaque" };
  live.metadata.resourceVersion = "1";
  t.deepEqual(diff(live, desired, readLastApplied(live, ANNOTATION)), []);
  t.is((live.data as Record<string, string>).password, Buffer.from("hunter2").toString("base64"));
});

test("Service ports default to TCP and int-or-string ports compare by value", (t) => {
  const desired = prepare({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: "ns" },
    spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "8080" }] },
  });
  const live = structuredClone(desired) as any;
  live.metadata.resourceVersion = "7";
  live.spec.ports = [{ port: 80, targetPort: 8080, protocol: "TCP" }];
  Object.assign(live.spec, { clusterIP: "10.0.0.12", clusterIPs: ["10.0.0.12"], type: "ClusterIP", sessionAffinity: "None" });
  t.deepEqual(diff(live, desired, readLastApplied(live, ANNOTATION)), []);
});

test("an atomic list changed in desired is replaced", (t) => {
  const before = prepare({ apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { ports: [{ port: 80 }] } });
  const live = { ...structuredClone(before), metadata: { ...structuredClone(before.metadata), resourceVersion: "1" } };
  const desired = prepare({ apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { ports: [{ port: 81 }] } });
  const patched = jsonpatch.applyPatch(structuredClone(live), diff(live, desired, readLastApplied(live, ANNOTATION))).newDocument as any;
  t.deepEqual(patched.spec.ports, [{ port: 81, protocol: "TCP" }]);
});

test("quantities parse in every spelling the server uses", (t) => {
  t.is(parseQuantity("500m"), 0.5);
  t.is(parseQuantity("0.5"), 0.5);
  t.is(parseQuantity("1Gi"), parseQuantity("1024Mi"));
  t.is(parseQuantity("1e3"), 1000);
  t.is(parseQuantity("1k"), 1000);
  t.is(parseQuantity(2), 2);
  t.is(parseQuantity("abc"), undefined);
});

test("the last-applied record is stable whatever the key order", (t) => {
  const a = withLastApplied({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { x: "1", y: "2" } }, ANNOTATION);
  const b = withLastApplied({ kind: "ConfigMap", apiVersion: "v1", data: { y: "2", x: "1" }, metadata: { name: "c" } }, ANNOTATION);
  t.is(a.metadata.annotations![ANNOTATION], b.metadata.annotations![ANNOTATION]);
});

/** Applies desired to live as the server would answer it; returns the new live object. */
function applied(live: KubeObject, desired: KubeObject): any {
  return jsonpatch.applyPatch(structuredClone(live), diff(live, desired, readLastApplied(live, ANNOTATION))).newDocument;
}

test("empty lists and maps the server drops (omitempty) and nulls are no drift once applied", (t) => {
  const written = deployment() as any;
  written.metadata.annotations = {};
  written.spec.template.spec.nodeSelector = {};
  written.spec.template.spec.tolerations = null;
  Object.assign(written.spec.template.spec.containers[0], { args: [], command: [], envFrom: [] });
  written.spec.template.spec.containers[0].env = [];
  const desired = prepare(written);
  // The server stores neither empty maps nor empty lists, and never a null.
  const live = serverView(desired) as any;
  delete live.spec.template.spec.nodeSelector;
  for (const field of ["args", "command", "envFrom", "env"]) delete live.spec.template.spec.containers[0][field];
  t.deepEqual(diff(live, desired, readLastApplied(live, ANNOTATION)), []);
});

test("keyed lists follow desired's order: reordered init containers reach the server, a new item goes where desired puts it", (t) => {
  const first = deployment() as any;
  first.spec.template.spec.initContainers = [{ name: "migrate", image: "db" }, { name: "seed", image: "db" }];
  const live = serverView(prepare(first)) as any;
  live.spec.template.spec.initContainers.push({ name: "injected", image: "mesh-init" });
  const next = deployment() as any;
  next.spec.template.spec.initContainers = [{ name: "wait", image: "busybox" }, { name: "seed", image: "db" }, { name: "migrate", image: "db" }];
  const patched = applied(live, prepare(next));
  t.deepEqual(patched.spec.template.spec.initContainers.map((c: any) => c.name), ["wait", "seed", "migrate", "injected"]);
});

test("volume mounts merge by mountPath: two mounts of one volume with different subPaths, and another writer's mount kept", (t) => {
  const first = deployment() as any;
  const mounts = [{ name: "config", mountPath: "/etc/app/a.conf", subPath: "a.conf" }, { name: "config", mountPath: "/etc/app/b.conf", subPath: "b.conf" }];
  first.spec.template.spec.containers[0].volumeMounts = mounts;
  const live = serverView(prepare(first)) as any;
  live.spec.template.spec.containers[0].volumeMounts.push({ name: "istio-certs", mountPath: "/etc/certs" });
  const next = deployment() as any;
  next.spec.template.spec.containers[0].volumeMounts = [mounts[0], { ...mounts[1], readOnly: true }];
  const patched = applied(live, prepare(next));
  t.deepEqual(patched.spec.template.spec.containers[0].volumeMounts, [mounts[0], { ...mounts[1], readOnly: true }, { name: "istio-certs", mountPath: "/etc/certs" }]);
});

test("container ports merge by containerPort and protocol: 53/TCP and 53/UDP are two ports", (t) => {
  const first = deployment() as any;
  first.spec.template.spec.containers[0].ports = [{ containerPort: 53, protocol: "UDP" }, { containerPort: 53 }];
  const live = serverView(prepare(first)) as any;
  live.spec.template.spec.containers[0].ports.push({ containerPort: 9153, protocol: "TCP", name: "metrics" });
  const next = deployment() as any;
  next.spec.template.spec.containers[0].ports = [{ containerPort: 53, protocol: "UDP", name: "dns" }, { containerPort: 53, name: "dns-tcp" }];
  const patched = applied(live, prepare(next));
  t.deepEqual(patched.spec.template.spec.containers[0].ports, [
    { containerPort: 53, protocol: "UDP", name: "dns" },
    { containerPort: 53, protocol: "TCP", name: "dns-tcp" },
    { containerPort: 9153, protocol: "TCP", name: "metrics" },
  ]);
});

test("the last-applied record of a 900 KiB ConfigMap stays small: one entry per key, no values", (t) => {
  const big = prepare({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big", namespace: "ns" }, data: { "bundle.js": "x".repeat(900 * 1024) } });
  const record = big.metadata.annotations![ANNOTATION]!;
  t.true(record.length < 200, `the record takes ${record.length} characters`);
});

test("annotations over the API server's 256 KiB limit are refused before any request, with the field and the fix", (t) => {
  const error = t.throws(() => prepare({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "noted", namespace: "ns", annotations: { note: "x".repeat(300 * 1024) } } }));
  t.regex(error!.message, /ConfigMap ns\/noted: metadata\.annotations would take \d+ bytes, over the API server's limit of 262144 .*Fix:/);
});
