/**
 * Generates charts/orchest-operator from synth/operator (the templates, the
 * test hook, values.schema.json and the values.yaml rendered from it), the
 * engine's metric names (the Grafana dashboard) and crds/ (copied into the
 * chart's crds/), so the chart and `orchest install` apply the same objects.
 *
 * Usage (from the repository root, after `npx tsc`):
 *   node lib/charts/generate.js           write the chart
 *   node lib/charts/generate.js --check   exit 1 when the committed chart differs
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { CRD_DIR, crdFiles, PACKAGE_ROOT } from "../cli/paths.js";
import { toYaml, type Manifest } from "../synth/index.js";
import { DEFAULT_SCRAPE_INTERVAL, OPERATOR_DEFAULTS, OPERATOR_IMAGE_REPOSITORY, OPERATOR_LABELS, OPERATOR_NAME, OPERATOR_VERSION, operatorManifests } from "../synth/operator/index.js";
import { dashboard } from "./dashboard.js";
import { placeMarkers, renderMarkers, type HelmMarker, type HelmPlacement } from "./templatize.js";

/** The command that regenerates the committed chart; quoted in errors. */
export const REGENERATE_COMMAND = "npx tsc && node lib/charts/generate.js";
/** Folder of the chart, relative to the repository root. */
export const CHART_PATH = "charts/orchest-operator";

/** One generated file, path relative to the repository root. */
export interface ChartFile {
  readonly path: string;
  readonly content: string;
}

const HEADER = `# Generated from synth/operator by charts/generate.ts. Do not edit: change the construct and run \`${REGENERATE_COMMAND}\`.`;

/** `(dict "k" "v" ...)`: a Helm literal of a string map. */
const dict = (map: Readonly<Record<string, string>>) => `(dict ${Object.entries(map).map(([k, v]) => `${JSON.stringify(k)} ${JSON.stringify(v)}`).join(" ")})`;
/** The construct's labels plus the ones a value adds (the construct's win: selectors depend on them). */
const labelsWith = (values: string) => `(merge ${dict(OPERATOR_LABELS)} ${values})`;

const MARKERS = {
  // Helm's convention: the release namespace, created by `helm install --create-namespace`, not by the chart.
  namespace: { token: "__HELM_namespace__", expression: "{{ .Release.Namespace }}" },
  image: { token: "__HELM_image__", expression: '"{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"' },
  pullPolicy: { token: "__HELM_pullPolicy__", expression: "{{ .Values.image.pullPolicy }}" },
  replicas: { token: "__HELM_replicas__", expression: "{{ .Values.replicas }}" },
  leaderElection: { token: "__HELM_leaderElection__", expression: "{{ .Values.leaderElection }}" },
  resources: { token: "__HELM_resources__", expression: ".Values.resources", block: true },
  nodeSelector: { token: "__HELM_nodeSelector__", expression: ".Values.nodeSelector", block: true, optional: true },
  tolerations: { token: "__HELM_tolerations__", expression: ".Values.tolerations", block: true, optional: true },
  maxUnavailable: { token: "__HELM_maxUnavailable__", expression: "{{ .Values.podDisruptionBudget.maxUnavailable }}" },
  serviceMonitorInterval: { token: "__HELM_serviceMonitorInterval__", expression: "{{ .Values.metrics.serviceMonitor.interval }}" },
  serviceMonitorLabels: { token: "__HELM_serviceMonitorLabels__", expression: labelsWith(".Values.metrics.serviceMonitor.labels"), block: true },
  podMonitorInterval: { token: "__HELM_podMonitorInterval__", expression: "{{ .Values.metrics.podMonitor.interval }}" },
  podMonitorLabels: { token: "__HELM_podMonitorLabels__", expression: labelsWith(".Values.metrics.podMonitor.labels"), block: true },
} as const satisfies Record<string, HelmMarker>;

const CONTAINER = "/spec/template/spec/containers/0";
const [IMAGE_REGISTRY, ...IMAGE_PATH] = OPERATOR_IMAGE_REPOSITORY.split("/");
const MAX_UNAVAILABLE = 1;
// cdk8s renders map keys sorted.
const RENDERED_LABELS = Object.fromEntries(Object.entries(OPERATOR_LABELS).sort(([a], [b]) => a.localeCompare(b)));

// Stand-ins that make the construct render the fields the values fill in.
const SAMPLE_NODE_SELECTOR = { "kubernetes.io/os": "linux" };
const SAMPLE_TOLERATIONS = [{ key: "example.com/dedicated", operator: "Exists" as const }];

/** The construct with every optional object and field, from which the templates are made. */
const EVERY_OBJECT = {
  createNamespace: false,
  podDisruptionBudget: { maxUnavailable: MAX_UNAVAILABLE },
  monitoring: { serviceMonitor: true, podMonitor: true },
  nodeSelector: SAMPLE_NODE_SELECTOR,
  tolerations: SAMPLE_TOLERATIONS,
} as const;

function containerOf(deployment: Manifest): Record<string, any> {
  return ((deployment["spec"] as any).template.spec.containers as Record<string, unknown>[])[0]!;
}

const defaultDeployment = (): Manifest => operatorManifests().find((m) => m.kind === "Deployment")!;

/** Values the construct renders that are not plain strings of its props. */
function placements(): HelmPlacement[] {
  const container = containerOf(defaultDeployment());
  return [
    { kind: "Deployment", pointer: "/spec/replicas", expected: OPERATOR_DEFAULTS.replicas, replacement: MARKERS.replicas.token },
    { kind: "Deployment", pointer: `${CONTAINER}/imagePullPolicy`, expected: OPERATOR_DEFAULTS.imagePullPolicy, replacement: MARKERS.pullPolicy.token },
    { kind: "Deployment", pointer: `${CONTAINER}/resources`, expected: container["resources"], replacement: MARKERS.resources.token },
    { kind: "Deployment", pointer: `${CONTAINER}/args/0`, expected: "--leader-elect=true", replacement: `--leader-elect=${MARKERS.leaderElection.token}` },
    { kind: "Deployment", pointer: "/spec/template/spec/nodeSelector", expected: SAMPLE_NODE_SELECTOR, replacement: MARKERS.nodeSelector.token },
    { kind: "Deployment", pointer: "/spec/template/spec/tolerations", expected: SAMPLE_TOLERATIONS, replacement: MARKERS.tolerations.token },
    { kind: "PodDisruptionBudget", pointer: "/spec/maxUnavailable", expected: MAX_UNAVAILABLE, replacement: MARKERS.maxUnavailable.token },
    { kind: "ServiceMonitor", pointer: "/spec/endpoints/0/interval", expected: DEFAULT_SCRAPE_INTERVAL, replacement: MARKERS.serviceMonitorInterval.token },
    { kind: "ServiceMonitor", pointer: "/metadata/labels", expected: RENDERED_LABELS, replacement: MARKERS.serviceMonitorLabels.token },
    { kind: "PodMonitor", pointer: "/spec/podMetricsEndpoints/0/interval", expected: DEFAULT_SCRAPE_INTERVAL, replacement: MARKERS.podMonitorInterval.token },
    { kind: "PodMonitor", pointer: "/metadata/labels", expected: RENDERED_LABELS, replacement: MARKERS.podMonitorLabels.token },
  ];
}

const onlyIf = (condition: string) => ({ before: `{{- if ${condition} }}`, after: "{{- end }}" });

/** Helm-only lines around some templates: the construct's replicas check, and the optional objects. */
const WRAPPERS: Readonly<Record<string, { readonly before: string; readonly after?: string }>> = {
  Deployment: {
    before:
      '{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection) }}{{ fail "replicas > 1 needs leaderElection: true, or two operators would reconcile the same clusters at once" }}{{- end }}',
  },
  PodDisruptionBudget: onlyIf(".Values.podDisruptionBudget.enabled"),
  ServiceMonitor: onlyIf(".Values.metrics.serviceMonitor.enabled"),
  PodMonitor: onlyIf(".Values.metrics.podMonitor.enabled"),
};

/**
 * `helm test`: GET /readyz through the metrics Service, from a pod of the operator's own image (Node.js) and
 * hardening. Exported so that a test can run the same check as a process.
 */
export const READYZ_CHECK =
  "fetch(process.env.READYZ_URL, { signal: AbortSignal.timeout(10000) }).then((r) => { console.log(`${process.env.READYZ_URL}: ${r.status}`); process.exit(r.ok ? 0 : 1); }, (e) => { console.error(`${process.env.READYZ_URL}: ${e.cause?.message ?? e.message}`); process.exit(1); });";

function testPod(deployment: Manifest): Manifest {
  const pod = (deployment["spec"] as any).template.spec;
  const container = containerOf(deployment);
  const serviceVariable = `${OPERATOR_NAME}-metrics`.toUpperCase().replaceAll("-", "_");
  return {
    apiVersion: "v1",
    kind: "Pod",
    // Not the operator's selector labels: the Service and the PodDisruptionBudget must not pick this pod. The pod is
    // kept until the next `helm test` (before-hook-creation), so `helm test --logs` and kubectl can read it.
    metadata: {
      name: `${OPERATOR_NAME}-test-readyz`,
      namespace: MARKERS.namespace.token,
      labels: { "app.kubernetes.io/part-of": OPERATOR_LABELS["app.kubernetes.io/part-of"], "app.kubernetes.io/component": "test" },
      annotations: { "helm.sh/hook": "test", "helm.sh/hook-delete-policy": "before-hook-creation" },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      nodeSelector: pod.nodeSelector,
      tolerations: pod.tolerations,
      securityContext: pod.securityContext,
      containers: [
        {
          name: "readyz",
          image: container["image"],
          imagePullPolicy: container["imagePullPolicy"],
          command: ["node", "-e", READYZ_CHECK],
          // The kubelet's service variables, not DNS: they work in clusters without cluster DNS too.
          env: [{ name: "READYZ_URL", value: `http://$(${serviceVariable}_SERVICE_HOST):$(${serviceVariable}_SERVICE_PORT)/readyz` }],
          securityContext: container["securityContext"],
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        },
      ],
    },
  };
}

function render(m: Manifest, path: string): ChartFile {
  const wrap = WRAPPERS[m.kind];
  const body = renderMarkers(toYaml([m]), Object.values(MARKERS));
  const lines = [HEADER, ...(wrap ? [wrap.before] : []), body.trimEnd(), ...(wrap?.after ? [wrap.after] : [])];
  return { path, content: `${lines.join("\n")}\n` };
}

function templates(): ChartFile[] {
  const marked = placeMarkers(operatorManifests({ ...EVERY_OBJECT, namespace: MARKERS.namespace.token, image: MARKERS.image.token }), placements());
  const deployment = marked.find((m) => m.kind === "Deployment")!;
  return [
    ...marked.map((m) => render(m, `${CHART_PATH}/templates/${m.kind.toLowerCase()}.yaml`)),
    render(testPod(deployment), `${CHART_PATH}/templates/tests/test-readyz.yaml`),
  ];
}

const DASHBOARD_FILE = "dashboards/orchest-operator.json";

/** The dashboard's ConfigMap, for Grafana's sidecar (it loads ConfigMaps labelled grafana_dashboard). */
const DASHBOARD_CONFIGMAP = `${HEADER}
{{- if .Values.dashboard.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${OPERATOR_NAME}-dashboard
  namespace: {{ .Release.Namespace }}
  labels: {{- toYaml ${labelsWith(".Values.dashboard.labels")} | nindent 4 }}
data:
  ${DASHBOARD_FILE.split("/").pop()}: {{ .Files.Get "${DASHBOARD_FILE}" | toJson }}
{{- end }}
`;

type JsonSchema = Record<string, unknown>;
const leaf = (type: string, description: string, value: unknown, more: JsonSchema = {}): JsonSchema => ({ type, description, default: value, ...more });
const group = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({ type: "object", description, additionalProperties: false, properties });
const DURATION = { pattern: "^([0-9]+(ms|s|m|h))+$" };
const STRING_MAP = { additionalProperties: { type: "string" } };
const QUANTITIES = { type: "object", additionalProperties: { type: ["string", "number"] } };
const monitor = (kind: string, discovery: string) =>
  group(`A ${kind} (monitoring.coreos.com/v1) that has Prometheus scrape /metrics ${discovery}.`, {
    enabled: leaf("boolean", `Create the ${kind}; needs the Prometheus Operator's CRDs.`, false),
    interval: leaf("string", "Scrape interval, e.g. 30s or 1m.", DEFAULT_SCRAPE_INTERVAL, DURATION),
    labels: leaf("object", `Labels added to the ${kind}, e.g. the one your Prometheus selects monitors by (release: kube-prometheus-stack).`, {}, STRING_MAP),
  });

/** values.schema.json; values.yaml is rendered from its descriptions and defaults, so the two cannot disagree. */
function valuesSchema(): JsonSchema {
  const resources = containerOf(defaultDeployment())["resources"];
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Values of the orchest-operator chart",
    ...group("", {
      image: group("The operator image: <registry>/<repository>:<tag>.", {
        registry: leaf("string", "Registry host[:port] of the image.", IMAGE_REGISTRY, { minLength: 1 }),
        repository: leaf("string", "Repository of the image in the registry.", IMAGE_PATH.join("/"), { minLength: 1 }),
        tag: leaf("string", "Tag of the image; empty: the chart's appVersion.", ""),
        pullPolicy: leaf("string", "When the kubelet pulls the image.", OPERATOR_DEFAULTS.imagePullPolicy, { enum: ["Always", "IfNotPresent", "Never"] }),
      }),
      replicas: leaf("integer", "Operator pods. More than one needs leaderElection: one reconciles, the others stand by with warm caches.", OPERATOR_DEFAULTS.replicas, { minimum: 0 }),
      leaderElection: leaf("boolean", "Only the holder of the Lease reconciles.", OPERATOR_DEFAULTS.leaderElection),
      resources: leaf("object", "Requests and limits of the operator container.", resources, { additionalProperties: false, properties: { requests: QUANTITIES, limits: QUANTITIES } }),
      nodeSelector: leaf("object", "Labels of the nodes the operator (and its helm test pod) may run on.", {}, STRING_MAP),
      tolerations: leaf("array", "Taints the operator's pods tolerate (core/v1 Tolerations).", [], { items: { type: "object" } }),
      podDisruptionBudget: group("A PodDisruptionBudget for the operator's pods (useful with replicas > 1).", {
        enabled: leaf("boolean", "Create the PodDisruptionBudget.", false),
        maxUnavailable: leaf("integer", "Operator pods that evictions (e.g. node drains) may take at once.", MAX_UNAVAILABLE, { minimum: 0 }),
      }),
      metrics: group("Prometheus Operator objects for the operator's controller-runtime metrics.", {
        serviceMonitor: monitor("ServiceMonitor", "through the metrics Service"),
        podMonitor: monitor("PodMonitor", "on the operator's pods directly"),
      }),
      dashboard: group(`A ConfigMap holding the Grafana dashboard (${DASHBOARD_FILE}) for Grafana's dashboard sidecar.`, {
        enabled: leaf("boolean", "Create the ConfigMap.", false),
        labels: leaf("object", "Labels of the ConfigMap; Grafana's sidecar loads those labelled grafana_dashboard by default.", { grafana_dashboard: "1" }, STRING_MAP),
      }),
    }),
  };
}

/** values.yaml: every value of the schema with its description as a comment and its default. */
function valuesYaml(): string {
  const lines = [
    "# Values of the orchest-operator chart, rendered from values.schema.json, which charts/generate.ts makes from",
    `# synth/operator, the construct \`orchest install\` applies: change the defaults there and run \`${REGENERATE_COMMAND}\`.`,
  ];
  const walk = (properties: Record<string, JsonSchema>, indent: string) => {
    for (const [key, schema] of Object.entries(properties)) {
      lines.push(...(indent ? [] : [""]), `${indent}# ${schema["description"]}`);
      if (schema["default"] === undefined) {
        lines.push(`${indent}${key}:`);
        walk(schema["properties"] as Record<string, JsonSchema>, `${indent}  `);
      } else if (typeof schema["default"] === "object" && Object.keys(schema["default"]!).length > 0) {
        lines.push(`${indent}${key}:`, YAML.stringify(schema["default"]).trimEnd().replace(/^/gm, `${indent}  `));
      } else {
        lines.push(`${indent}${key}: ${YAML.stringify(schema["default"]).trimEnd()}`);
      }
    }
  };
  walk(valuesSchema()["properties"] as Record<string, JsonSchema>, "");
  return `${lines.join("\n")}\n`;
}

function chartYaml(): string {
  return [
    "apiVersion: v2",
    `name: ${OPERATOR_NAME}`,
    "description: The Orchest operator (OrchestCluster reconciler) with its CRDs, least-privilege RBAC and metrics Service.",
    "type: application",
    `version: ${OPERATOR_VERSION}`,
    `appVersion: "${OPERATOR_VERSION}"`,
    "keywords: [orchest, operator, gitops, cdk8s]",
    "",
  ].join("\n");
}

const NOTES = `The Orchest operator runs in {{ .Release.Namespace }} ({{ .Values.replicas }} replica(s), leader election {{ .Values.leaderElection }}).
Check it answers: helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
Create a cluster:  kubectl apply -f examples/orchestcluster.yaml   (or: orchest install -f <file>)
Follow it:         kubectl get orchestclusters -A -w               (or: kubectl orchest status --wait)
`;

/** Every file of the chart, sorted by path. */
export function chartFiles(): ChartFile[] {
  const files: ChartFile[] = [
    { path: `${CHART_PATH}/Chart.yaml`, content: chartYaml() },
    { path: `${CHART_PATH}/values.yaml`, content: valuesYaml() },
    { path: `${CHART_PATH}/values.schema.json`, content: `${JSON.stringify(valuesSchema(), null, 2)}\n` },
    { path: `${CHART_PATH}/templates/NOTES.txt`, content: NOTES },
    { path: `${CHART_PATH}/templates/dashboard-configmap.yaml`, content: DASHBOARD_CONFIGMAP },
    { path: `${CHART_PATH}/${DASHBOARD_FILE}`, content: `${JSON.stringify(dashboard(), null, 2)}\n` },
    ...templates(),
    ...crdFiles().map((f) => ({ path: `${CHART_PATH}/crds/${f}`, content: readFileSync(join(CRD_DIR, f), "utf8") })),
  ];
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Files of the chart folder on disk that differ from, are missing from, or are not in the generated set. */
export function chartDrift(root = PACKAGE_ROOT): string[] {
  const generated = chartFiles();
  const onDisk = (dir: string): string[] =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length).replace(/^\//, "")) : [];
  const expected = new Set(generated.map((f) => f.path));
  const differing = generated.filter((f) => !existsSync(join(root, f.path)) || readFileSync(join(root, f.path), "utf8") !== f.content).map((f) => f.path);
  const extra = onDisk(CHART_PATH).filter((p) => !expected.has(p));
  return [...differing, ...extra].sort();
}

function write(root = PACKAGE_ROOT): void {
  const generated = chartFiles();
  const expected = new Set(generated.map((f) => f.path));
  for (const stale of chartDrift(root).filter((p) => !expected.has(p))) rmSync(join(root, stale));
  for (const f of generated) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  if (process.argv.includes("--check")) {
    const drift = chartDrift();
    if (drift.length > 0) {
      process.stderr.write(`${CHART_PATH} differs from what charts/generate.ts produces: ${drift.join(", ")}\nRun: ${REGENERATE_COMMAND}\n`);
      process.exit(1);
    }
  } else {
    write();
    process.stderr.write(`wrote ${chartFiles().length} files to ${CHART_PATH}\n`);
  }
}
