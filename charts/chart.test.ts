import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { CHART_DIR, PACKAGE_ROOT } from "../cli/paths.js";
import { installCrds, kubectl, runProcess } from "../cli/testing.js";
import { OPERATOR_IMAGE_REPOSITORY, operatorManifests } from "../synth/operator/index.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { createTestNamespace, useTestbed } from "../testbed/index.js";
import { chartDrift, REGENERATE_COMMAND } from "./generate.js";

// The test bed puts kubectl on PATH but not helm: take helm from the test bed's binaries.
const helmBinary = async (): Promise<string> => (await ensureBinaries(() => {})).helm ?? "helm";

async function helm(...args: string[]): Promise<string> {
  const result = await runProcess(await helmBinary(), args);
  if (result.code !== 0) throw new Error(`helm ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}
type Obj = Record<string, any>;
// Helm orders objects by kind itself; compare as sets.
const byKind = (objects: Obj[]): Obj[] => [...objects].sort((a, b) => a["kind"].localeCompare(b["kind"]));
const parse = (yaml: string): Obj[] => YAML.parseAllDocuments(yaml).map((d) => d.toJS()).filter(Boolean);
const render = async (...args: string[]): Promise<Obj[]> => byKind(parse(await helm("template", "orchest-operator", CHART_DIR, "--namespace", "orchest-system", ...args)));
const set = (...values: string[]) => values.flatMap((v) => ["--set", v]);
const construct = (props: Parameters<typeof operatorManifests>[0] = {}): Obj[] => byKind(JSON.parse(JSON.stringify(operatorManifests({ createNamespace: false, ...props }))));
const isTestHook = (o: Obj) => o["metadata"].annotations?.["helm.sh/hook"] === "test";
const EVERYTHING = set("podDisruptionBudget.enabled=true", "metrics.serviceMonitor.enabled=true", "metrics.podMonitor.enabled=true", "dashboard.enabled=true");

test("the committed chart is what charts/generate.ts produces from synth/operator and crds/", (t) => {
  t.deepEqual(chartDrift(), [], `regenerate the chart: ${REGENERATE_COMMAND}`);
});

test("helm lint --strict passes, with the optional objects too", async (t) => {
  await useTestbed();
  t.regex(await helm("lint", "--strict", CHART_DIR), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  t.regex(await helm("lint", "--strict", CHART_DIR, ...EVERYTHING), /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

test("a bad value fails helm lint --strict, naming it (values.schema.json)", async (t) => {
  await useTestbed();
  for (const [value, field] of [["replicas=two", "at '/replicas'"], ["image.pullPolicy=Sometimes", "at '/image/pullPolicy'"], ["metrics.serviceMonitor.interval=often", "at '/metrics/serviceMonitor/interval'"], ["replica=2", "'replica' not allowed"]] as const) {
    const linted = await runProcess(await helmBinary(), ["lint", "--strict", CHART_DIR, "--set", value]);
    t.not(linted.code, 0, value);
    t.true(linted.stdout.includes(field) || linted.stderr.includes(field), `${value}: ${linted.stdout}${linted.stderr}`);
  }
});

test("with default values the chart renders exactly the operator's manifests, in the release namespace, with no Namespace of its own", async (t) => {
  await useTestbed();
  const objects = (await render()).filter((o) => !isTestHook(o));
  t.false(objects.some((o) => o["kind"] === "Namespace"));
  t.deepEqual(objects, construct());
});

test("values set the image, replicas, resources, placement and leader election", async (t) => {
  await useTestbed();
  const objects = (await render(...set("image.tag=v9", "replicas=2", "resources.limits.memory=1Gi"), "--namespace", "ops")).filter((o) => !isTestHook(o));
  const expected = construct({ namespace: "ops", image: `${OPERATOR_IMAGE_REPOSITORY}:v9`, replicas: 2 });
  const deployment = objects.find((o) => o["kind"] === "Deployment")!["spec"];
  t.deepEqual(deployment.template.spec.containers[0].resources, { limits: { memory: "1Gi" }, requests: { cpu: "100m", memory: "128Mi" } });
  delete deployment.template.spec.containers[0].resources;
  delete expected.find((o) => o["kind"] === "Deployment")!["spec"].template.spec.containers[0].resources;
  t.deepEqual(objects, expected);
  const registry = (await render(...set("image.registry=registry.example.com:5000", "image.repository=ops/operator", "image.tag=v2"))).find((o) => o["kind"] === "Deployment")!;
  t.is(registry["spec"].template.spec.containers[0].image, "registry.example.com:5000/ops/operator:v2");
  const placed = await render(...set("nodeSelector.pool=ops", "tolerations[0].key=dedicated", "tolerations[0].operator=Exists"));
  for (const pod of placed.filter((o) => o["kind"] === "Deployment" || o["kind"] === "Pod").map((o) => o["spec"].template?.spec ?? o["spec"])) {
    t.deepEqual([pod.nodeSelector, pod.tolerations], [{ pool: "ops" }, [{ key: "dedicated", operator: "Exists" }]], "the operator and its test pod");
  }
  const noElection = await runProcess(await helmBinary(), ["template", "x", CHART_DIR, ...set("replicas=2", "leaderElection=false")]);
  t.not(noElection.code, 0);
  t.regex(noElection.stderr, /replicas > 1 needs leaderElection: true/);
});

test("the operator runs non-root, on a read-only root filesystem, without privilege escalation or capabilities, under seccomp RuntimeDefault", async (t) => {
  await useTestbed();
  for (const pod of (await render()).filter((o) => o["kind"] === "Deployment" || o["kind"] === "Pod").map((o) => o["spec"].template?.spec ?? o["spec"])) {
    t.like(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    for (const container of pod.containers) {
      t.like(container.securityContext, { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    }
  }
});

test("the ServiceMonitor, PodMonitor and PodDisruptionBudget are there only when enabled, and select the operator's pods", async (t) => {
  await useTestbed();
  const kinds = (objects: Obj[]) => objects.map((o) => o["kind"]);
  const plain = kinds(await render());
  for (const kind of ["ServiceMonitor", "PodMonitor", "PodDisruptionBudget", "ConfigMap"]) t.false(plain.includes(kind), kind);
  const objects = await render(...EVERYTHING, ...set("metrics.serviceMonitor.labels.release=kube-prometheus-stack", "metrics.podMonitor.interval=15s"));
  const find = (kind: string) => objects.find((o) => o["kind"] === kind)!;
  const selector = find("Deployment")["spec"].selector.matchLabels;
  const service = find("Service");
  const serviceMonitor = find("ServiceMonitor");
  t.like(service["metadata"].labels, serviceMonitor["spec"].selector.matchLabels);
  t.is(serviceMonitor["spec"].endpoints[0].port, service["spec"].ports[0].name);
  t.is(serviceMonitor["metadata"].labels.release, "kube-prometheus-stack");
  t.is(serviceMonitor["metadata"].labels["app.kubernetes.io/name"], "orchest-operator");
  const podMonitor = find("PodMonitor");
  t.deepEqual(podMonitor["spec"].selector.matchLabels, selector);
  t.is(podMonitor["spec"].podMetricsEndpoints[0].port, find("Deployment")["spec"].template.spec.containers[0].ports[0].name);
  t.is(podMonitor["spec"].podMetricsEndpoints[0].interval, "15s");
  t.deepEqual(find("PodDisruptionBudget")["spec"], { maxUnavailable: 1, selector: { matchLabels: selector } });
});

// The Prometheus Operator's CRDs of a release (charts/testing/prometheus-operator), so that the API server checks the monitors too.
const PROMETHEUS_OPERATOR_CRDS = join(PACKAGE_ROOT, "charts", "testing", "prometheus-operator");

test("every rendered object, CRDs and optional ones included, is accepted by the API server (dry run)", async (t) => {
  const tb = await useTestbed();
  await installCrds();
  await kubectl(["apply", "--server-side", "-f", PROMETHEUS_OPERATOR_CRDS]);
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com", "crd/podmonitors.monitoring.coreos.com"]);
  const namespace = await createTestNamespace(tb.kubeConfig, "chart");
  const rendered = parse(await helm("template", "orchest-operator", CHART_DIR, "--include-crds", "--namespace", namespace, ...set("replicas=2"), ...EVERYTHING));
  // kubectl validates strictly: an unknown field is refused, not dropped.
  const out = await kubectl(["apply", "--dry-run=server", "-n", namespace, "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: rendered }));
  t.is(out.trim().split("\n").length, rendered.length, out);
  t.regex(out, /deployment\.apps\/orchest-operator (created|configured|unchanged) \(server dry run\)/);
  t.regex(out, /poddisruptionbudget\.policy\/orchest-operator \w+ \(server dry run\)/);
  t.regex(out, /customresourcedefinition\.apiextensions\.k8s\.io\/orchestclusters\.orchest\.io \w+ \(server dry run\)/);
  t.regex(out, /servicemonitor\.monitoring\.coreos\.com\/orchest-operator \w+ \(server dry run\)/);
  t.regex(out, /podmonitor\.monitoring\.coreos\.com\/orchest-operator \w+ \(server dry run\)/);
});

test("helm install with a bad value fails before anything is installed, naming the value", async (t) => {
  const tb = await useTestbed();
  const namespace = await createTestNamespace(tb.kubeConfig, "chart-bad");
  for (const [value, problem] of [["replicas=two", /at '\/replicas': got string, want integer/], ["replicas=-1", /at '\/replicas': minimum: got -1, want 0|at '\/replicas'.*(minimum|greater than or equal)/]] as const) {
    const result = await runProcess(await helmBinary(), ["install", "bad", CHART_DIR, "--kubeconfig", tb.kubeconfigPath, "--namespace", namespace, "--set", value]);
    t.not(result.code, 0, value);
    t.regex(result.stderr, problem, value);
  }
  t.deepEqual(JSON.parse(await helm("list", "--kubeconfig", tb.kubeconfigPath, "-n", namespace, "-o", "json")), []);
});

// The dashboard's queries are checked against the engine's metrics in dashboard.test.
test("with dashboard.enabled the chart carries the Grafana dashboard in a ConfigMap that Grafana's sidecar loads", async (t) => {
  await useTestbed();
  const dashboard = JSON.parse(readFileSync(join(CHART_DIR, "dashboards", "orchest-operator.json"), "utf8"));
  const configMap = (await render(...set("dashboard.enabled=true"))).find((o) => o["kind"] === "ConfigMap")!;
  t.is(configMap["metadata"].labels.grafana_dashboard, "1");
  t.deepEqual(JSON.parse(configMap["data"]["orchest-operator.json"]), dashboard);
});
