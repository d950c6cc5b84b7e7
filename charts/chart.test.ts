import test from "ava";
import YAML from "yaml";
import { CHART_DIR } from "../cli/paths.js";
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
const render = async (...set: string[]): Promise<Obj[]> =>
  byKind(YAML.parseAllDocuments(await helm("template", "orchest-operator", CHART_DIR, ...set.flatMap((s) => ["--set", s]))).map((d) => d.toJS()).filter(Boolean));
const construct = (props: Parameters<typeof operatorManifests>[0] = {}): Obj[] => byKind(JSON.parse(JSON.stringify(operatorManifests(props))));

test("the committed chart is what charts/generate.ts produces from synth/operator and crds/", (t) => {
  t.deepEqual(chartDrift(), [], `regenerate the chart: ${REGENERATE_COMMAND}`);
});

test("helm lint passes", async (t) => {
  await useTestbed();
  t.regex(await helm("lint", CHART_DIR), /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

test("with default values the chart renders exactly the operator's manifests", async (t) => {
  await useTestbed();
  t.deepEqual(await render(), construct());
});

test("values set the namespace, image, replicas, resources and leader election", async (t) => {
  await useTestbed();
  const objects = await render("namespace=ops", "createNamespace=false", "image.tag=v9", "replicas=2", "resources.limits.memory=1Gi");
  t.false(objects.some((o) => o["kind"] === "Namespace"));
  const expected = construct({ namespace: "ops", createNamespace: false, image: `${OPERATOR_IMAGE_REPOSITORY}:v9`, replicas: 2 });
  const deployment = objects.find((o) => o["kind"] === "Deployment")!["spec"];
  t.deepEqual(deployment.template.spec.containers[0].resources, { limits: { memory: "1Gi" }, requests: { cpu: "100m", memory: "128Mi" } });
  delete deployment.template.spec.containers[0].resources;
  delete expected.find((o) => o["kind"] === "Deployment")!["spec"].template.spec.containers[0].resources;
  t.deepEqual(objects, expected);
  const noElection = await runProcess(await helmBinary(), ["template", "x", CHART_DIR, "--set", "replicas=2", "--set", "leaderElection=false"]);
  t.not(noElection.code, 0);
  t.regex(noElection.stderr, /replicas > 1 needs leaderElection: true/);
});

test("helm template output, CRDs included, is accepted by the API server (dry run)", async (t) => {
  const tb = await useTestbed();
  await installCrds();
  const namespace = await createTestNamespace(tb.kubeConfig, "chart");
  const rendered = await helm("template", "orchest-operator", CHART_DIR, "--include-crds", "--set", `namespace=${namespace}`, "--set", "createNamespace=false", "--set", "replicas=2");
  const out = await kubectl(["apply", "--dry-run=server", "-f", "-"], rendered);
  t.regex(out, /deployment\.apps\/orchest-operator (created|configured|unchanged) \(server dry run\)/);
  t.regex(out, /customresourcedefinition\.apiextensions\.k8s\.io\/orchestclusters\.orchest\.io \w+ \(server dry run\)/);
});
