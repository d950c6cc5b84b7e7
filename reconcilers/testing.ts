// Helpers for this folder's tests and benchmarks on the test bed; not part of the engine's API.
import { eventually } from "../testbed/eventually.js";
import type { KubeObject } from "./client/object.js";

/** Polls until `check` returns true and says how long that took; fails with `what` after the timeout. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 20): Promise<number> {
  const started = Date.now();
  await eventually(what, check, timeoutMs, everyMs);
  return Date.now() - started;
}

/** Sum of the apiserver's apiserver_request_total series (from its /metrics text) whose labels pass `filter`. */
export function apiserverRequests(metricsText: string, filter: (labels: Record<string, string>) => boolean): number {
  let sum = 0;
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (filter(labels)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** Writes (create, update, patch, delete) the apiserver counted on the given resources. */
export function apiserverWrites(metricsText: string, resources: ReadonlySet<string>): number {
  return apiserverRequests(metricsText, (l) => resources.has(l.resource!) && ["POST", "PUT", "PATCH", "DELETE"].includes(l.verb!));
}

/**
 * A realistic application stack in one namespace, `apps` times over: Deployment, Service, ConfigMap,
 * Secret (stringData), ServiceAccount, Role, RoleBinding, PVC and Ingress per app; plus the Namespace, one
 * DaemonSet and a ClusterRole + ClusterRoleBinding (named after the namespace). 9·apps + 4 objects.
 */
export function stackManifests(namespace: string, apps: number, image = "nginx:1.27"): KubeObject[] {
  const objects: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }];
  for (let i = 0; i < apps; i++) {
    const name = `app-${i}`;
    const meta = { name, namespace, labels: { app: name, tier: "web" } };
    const selector = { app: name };
    objects.push(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta,
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: selector },
            spec: {
              serviceAccountName: name,
              containers: [
                {
                  name: "main",
                  image,
                  ports: [{ name: "http", containerPort: 8080 }],
                  env: [{ name: "MODE", value: "production" }, { name: "REMOVE_ME", value: "soon" }],
                  resources: { requests: { cpu: "0.1", memory: "64Mi" }, limits: { cpu: "0.5", memory: "0.125Gi" } },
                  volumeMounts: [{ name: "config", mountPath: "/etc/app" }],
                },
              ],
              volumes: [{ name: "config", configMap: { name } }],
            },
          },
        },
      },
      { apiVersion: "v1", kind: "Service", metadata: meta, spec: { selector, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "app.conf": `listen 8080\nname ${name}\n` } },
      { apiVersion: "v1", kind: "Secret", metadata: meta, type: "Opaque", stringData: { password: `secret-${i}` } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: meta },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }] },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
      },
      { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: meta,
        spec: { rules: [{ host: `${name}.example.test`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { name: "http" } } } }] } }] },
      },
    );
  }
  const agent = { app: "agent" };
  objects.push(
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace, labels: agent },
      spec: { selector: { matchLabels: agent }, template: { metadata: { labels: agent }, spec: { containers: [{ name: "agent", image }] } } },
    },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: `${namespace}-reader` }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${namespace}-reader` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${namespace}-reader` },
      subjects: [{ kind: "ServiceAccount", name: "app-0", namespace }],
    },
  );
  return objects;
}

/** The q-quantile (0..1) of some numbers, nearest-rank. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Prints a benchmark's rows with our number and the baseline's side by side, and their ratio. */
export function printComparison(title: string, baseline: string, rows: Array<[string, number, number]>): void {
  const width = Math.max(...rows.map(([label]) => label.length), 10);
  const cell = (v: string) => v.padStart(14);
  const lines = [`\n${title}`, `${"".padEnd(width)}${cell("ours")}${cell(baseline)}${cell("ratio")}`];
  for (const [label, ours, theirs] of rows) {
    const ratio = theirs === 0 ? (ours === 0 ? "1.00" : "∞") : (ours / theirs).toFixed(2);
    lines.push(`${label.padEnd(width)}${cell(format(ours))}${cell(format(theirs))}${cell(ratio)}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
