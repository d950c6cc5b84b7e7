/**
 * Generates charts/orchest-operator from synth/operator (the templates and
 * the defaults of values.yaml) and crds/ (copied into the chart's crds/), so
 * the chart and `orchest install` apply the same objects.
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
import { OPERATOR_DEFAULTS, OPERATOR_IMAGE_REPOSITORY, OPERATOR_NAME, OPERATOR_VERSION, operatorManifests } from "../synth/operator/index.js";
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

const MARKERS = {
  namespace: { token: "__HELM_namespace__", expression: "{{ .Values.namespace }}" },
  image: { token: "__HELM_image__", expression: '"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"' },
  pullPolicy: { token: "__HELM_pullPolicy__", expression: "{{ .Values.image.pullPolicy }}" },
  replicas: { token: "__HELM_replicas__", expression: "{{ .Values.replicas }}" },
  leaderElection: { token: "__HELM_leaderElection__", expression: "{{ .Values.leaderElection }}" },
  resources: { token: "__HELM_resources__", expression: ".Values.resources", block: true },
} as const satisfies Record<string, HelmMarker>;

const CONTAINER = "/spec/template/spec/containers/0";

/** The operator's objects with every default; values.yaml is taken from them. */
function defaultManifests(): Manifest[] {
  return operatorManifests();
}

function containerOf(deployment: Manifest): Record<string, unknown> {
  return ((deployment["spec"] as any).template.spec.containers as Record<string, unknown>[])[0]!;
}

/** Values the construct renders that are not plain strings of its props. */
function placements(defaults: readonly Manifest[]): HelmPlacement[] {
  const container = containerOf(defaults.find((m) => m.kind === "Deployment")!);
  return [
    { kind: "Deployment", pointer: "/spec/replicas", expected: OPERATOR_DEFAULTS.replicas, replacement: MARKERS.replicas.token },
    { kind: "Deployment", pointer: `${CONTAINER}/imagePullPolicy`, expected: OPERATOR_DEFAULTS.imagePullPolicy, replacement: MARKERS.pullPolicy.token },
    { kind: "Deployment", pointer: `${CONTAINER}/resources`, expected: container["resources"], replacement: MARKERS.resources.token },
    { kind: "Deployment", pointer: `${CONTAINER}/args/0`, expected: "--leader-elect=true", replacement: `--leader-elect=${MARKERS.leaderElection.token}` },
  ];
}

/** Helm-only lines around some templates: the optional Namespace, and the construct's replicas check. */
const WRAPPERS: Readonly<Record<string, { readonly before: string; readonly after?: string }>> = {
  Namespace: { before: "{{- if .Values.createNamespace }}", after: "{{- end }}" },
  Deployment: {
    before:
      '{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection) }}{{ fail "replicas > 1 needs leaderElection: true, or two operators would reconcile the same clusters at once" }}{{- end }}',
  },
};

function templates(): ChartFile[] {
  const defaults = defaultManifests();
  const marked = placeMarkers(operatorManifests({ namespace: MARKERS.namespace.token, image: MARKERS.image.token }), placements(defaults));
  return marked.map((m) => {
    const wrap = WRAPPERS[m.kind];
    const body = renderMarkers(toYaml([m]), Object.values(MARKERS));
    const lines = [HEADER, ...(wrap ? [wrap.before] : []), body.trimEnd(), ...(wrap?.after ? [wrap.after] : [])];
    return { path: `${CHART_PATH}/templates/${m.kind.toLowerCase()}.yaml`, content: `${lines.join("\n")}\n` };
  });
}

function valuesYaml(): string {
  const resources = containerOf(defaultManifests().find((m) => m.kind === "Deployment")!)["resources"];
  const indented = (value: unknown) => YAML.stringify(value).trimEnd().replace(/^/gm, "  ");
  return [
    "# Values of the orchest-operator chart. The templates and these defaults are generated from synth/operator,",
    `# the construct \`orchest install\` applies: change the defaults there and run \`${REGENERATE_COMMAND}\`.`,
    "",
    "# Namespace the operator runs in.",
    `namespace: ${OPERATOR_DEFAULTS.namespace}`,
    "# Create the namespace with the chart; set false when it exists (e.g. helm install --create-namespace).",
    `createNamespace: ${OPERATOR_DEFAULTS.createNamespace}`,
    "image:",
    `  repository: ${OPERATOR_IMAGE_REPOSITORY}`,
    "  # Empty: the chart's appVersion.",
    '  tag: ""',
    `  pullPolicy: ${OPERATOR_DEFAULTS.imagePullPolicy}`,
    "# More than one replica needs leaderElection: one replica reconciles, the others stand by with warm caches.",
    `replicas: ${OPERATOR_DEFAULTS.replicas}`,
    `leaderElection: ${OPERATOR_DEFAULTS.leaderElection}`,
    "# Requests and limits of the operator container.",
    "resources:",
    indented(resources),
    "",
  ].join("\n");
}

function chartYaml(): string {
  return [
    "apiVersion: v2",
    `name: ${OPERATOR_NAME}`,
    "description: The Orchest operator (OrchestCluster reconciler) with its CRDs, least-privilege RBAC and metrics Service.",
    "type: application",
    `version: ${OPERATOR_VERSION}`,
    `appVersion: "${OPERATOR_VERSION}"`,
    "",
  ].join("\n");
}

const NOTES = `The Orchest operator runs in {{ .Values.namespace }} ({{ .Values.replicas }} replica(s), leader election {{ .Values.leaderElection }}).
Create a cluster:   kubectl apply -f examples/orchestcluster.yaml   (or: orchest install -f <file>)
Follow it:          kubectl get orchestclusters -A -w               (or: orchest status --wait)
`;

/** Every file of the chart, sorted by path. */
export function chartFiles(): ChartFile[] {
  const files: ChartFile[] = [
    { path: `${CHART_PATH}/Chart.yaml`, content: chartYaml() },
    { path: `${CHART_PATH}/values.yaml`, content: valuesYaml() },
    { path: `${CHART_PATH}/templates/NOTES.txt`, content: NOTES },
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
