import test from "ava";
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { PACKAGE_ROOT } from "../cli/paths.js";
import { installCrds, runProcess } from "../cli/testing.js";
import { resolveContext } from "../synth/context.js";
import { createTestNamespace, useTestbed } from "../testbed/index.js";
import { asStored, InvalidObjectError, validate } from "./validation.js";
import type { OrchestCluster } from "./types/index.js";

const cluster = (spec: unknown, namespace = "orchest"): OrchestCluster =>
  ({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "c1", namespace }, spec }) as OrchestCluster;

// One fault each: the API server stops at a type error, so a spec with several faults would not compare field by field.
const FAULTS: ReadonlyArray<readonly [string, unknown]> = [
  ["a number where a string goes", { postgres: { image: 5 } }],
  ["a version that is not CalVer", { orchest: { version: "2022.10" } }],
  ["a volume size that is not a quantity", { orchest: { resources: { userDirVolumeSize: "lots" } } }],
  ["an unknown field", { orchest: { verison: "v2022.10.5" } }],
  ["a list item without its required key", { orchest: { env: [{ value: "x" }] } }],
  ["value and valueFrom in one env var", { orchest: { env: [{ name: "A", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] } }],
  ["an image with a scheme", { orchest: { orchestApi: { image: "https://registry.example.com/orchest-api:v1" } } }],
];
// Faults of metadata, with a valid spec (a namespace that cannot exist cannot be tried: the request has no place to go).
const METADATA_FAULTS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["a name that is not a DNS subdomain", { name: "Cluster_1" }],
  ["a label key with a space", { labels: { "team a": "x" } }],
  ["a label value with a space", { labels: { team: "a b" } }],
  ["an annotation key with two slashes", { annotations: { "a/b/c": "x" } }],
];

test("the example cluster is valid", (t) => {
  const example = YAML.parse(readFileSync(`${PACKAGE_ROOT}/examples/orchestcluster.yaml`, "utf8"));
  t.deepEqual(validate(example), []);
});

// Every field of Orchest's v1alpha1 OrchestClusterSpec (services/orchest-controller/pkg/apis/orchest/v1alpha1/types.go
// at 560103a5), with values its controller and its users write; registry "" is its default (unset).
const TEMPLATE = { image: "orchest/orchest-api:v2023.04.2", env: [{ name: "FLASK_ENV", value: "production" }], nodeSelector: { pool: "a" }, stateVolumeName: "userdir-pvc" };
const VOLUME = { volumeSize: "5Gi", mountPath: "/orchest/state", storageClass: "standard" };
const ORCHEST_SPEC = {
  singleNode: true,
  orchest: {
    pause: false,
    orchestHost: "orchest.example.com",
    registry: "",
    version: "v2023.04.2",
    env: [{ name: "ORCHEST_LOG_LEVEL", value: "INFO" }],
    resources: {
      userDirVolume: { ...VOLUME, volumeSize: "50Gi", mountPath: "/userdir" },
      orchestStateVolume: VOLUME,
      userDirVolumeSize: "50Gi",
      separateOrchestStateFromUserDir: true,
      orchestStateVolumeSize: "5Gi",
      configDirVolumeSize: "1Gi",
    },
    orchestApi: TEMPLATE,
    orchestWebServer: TEMPLATE,
    celeryWorker: TEMPLATE,
    nodeAgent: TEMPLATE,
    buildkitDaemon: TEMPLATE,
    authServer: TEMPLATE,
  },
  postgres: { image: "postgres:13.1" },
  rabbitMq: { image: "rabbitmq:3" },
  applications: [{ name: "docker-registry", needs: ["argo-workflow"], config: { helm: { values: ["a: b"], releaseName: "r", parameters: [{ name: "service.clusterIP", value: "10.96.0.10", forceString: true }] } } }],
  controlNodeSelector: { plane: "control" },
  workerNodeSelector: { plane: "worker" },
};

test("accepts every field of Orchest's v1alpha1 OrchestClusterSpec, with the values its controller and its users write", (t) => {
  t.deepEqual(validate(cluster(ORCHEST_SPEC)), []);
});

test("every problem of a spec is listed at once, each naming its field and the fix", (t) => {
  const problems = validate(cluster({ postgres: { image: 5 }, orchest: { version: "2022.10", resources: { userDirVolumeSize: "lots" } } }));
  t.deepEqual(problems, [
    { path: "spec.postgres.image", message: "must be a string, not the number 5 (quote it, or write text)" },
    {
      path: "spec.orchest.version",
      message: 'must be CalVer vYYYY.MM.N, for example v2022.10.5 (a leading v, a four-digit year, a two-digit month, a patch number); got "2022.10"',
    },
    { path: "spec.orchest.resources.userDirVolumeSize", message: 'must be a positive quantity such as 50Gi; got "lots"' },
  ]);
});

test("an unknown field names the fields that are known there", (t) => {
  const [problem] = validate(cluster({ orchest: { verison: "v2022.10.5" } }));
  t.is(problem?.path, "spec.orchest.verison");
  t.regex(problem!.message, /^unknown field \(remove it or fix its spelling; known fields here: version, registry, /);
});

test("metadata is checked as the API server checks every object's: name, namespace, label and annotation keys, label values", (t) => {
  const object = cluster({});
  object.metadata = { name: "Cluster_1", namespace: "Team A", labels: { "team a": "x", ok: "not ok" }, annotations: { "-bad-": "x" } };
  const problems = validate(object);
  t.deepEqual(
    problems.map((p) => p.path),
    ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.labels", "metadata.annotations"],
  );
  t.regex(problems[0]!.message, /^must be a lower-case RFC 1123 subdomain such as cluster-1\b.*; got "Cluster_1"$/);
  t.regex(problems[1]!.message, /^must be a lower-case RFC 1123 label such as orchest\b.*; got "Team A"$/);
  t.deepEqual(validate(cluster({}, "orchest-1")), [], "a valid namespace and name");
});

// A YAML key left empty (`image:`) is null; the API server drops nulls of fields that are not nullable, and accepts the rest.
const NULLS = { singleNode: null, postgres: { image: null }, orchest: { version: null, env: null, resources: { userDirVolumeSize: null } } };

test("a null field is dropped before validation, as the API server drops it", (t) => {
  t.deepEqual(validate(cluster(NULLS)), []);
  t.deepEqual(asStored(cluster(NULLS)).spec, { postgres: {}, orchest: { resources: {} } });
});

test("the construct's entry point refuses what the CRD refuses", (t) => {
  const error = t.throws(() => resolveContext(cluster({ orchest: { resources: { userDirVolumeSize: "lots" } } }), { nodes: [] }), { instanceOf: InvalidObjectError });
  t.deepEqual(error?.problems.map((p) => p.path), ["spec.orchest.resources.userDirVolumeSize"]);
});

test("what the API server stores of a spec with nulls is what asStored returns (server dry run)", async (t) => {
  const tb = await useTestbed();
  await installCrds();
  const namespace = await createTestNamespace(tb.kubeConfig, "validation-nulls");
  const object = cluster(NULLS, namespace);
  const server = await runProcess("kubectl", ["create", "--dry-run=server", "-o", "json", "-f", "-"], JSON.stringify(object));
  t.is(server.code, 0, server.stderr);
  t.deepEqual(JSON.parse(server.stdout).spec, asStored(object).spec);
});

/** Field paths in the API server's refusal of a dry-run create. */
function refusedFields(stderr: string): string[] {
  const unknown = [...stderr.matchAll(/unknown field "([^"]+)"/g)].map((m) => m[1]!);
  const invalid = [...stderr.matchAll(/(?:^\* |is invalid: )([\w.[\]]+): /gm)].map((m) => m[1]!);
  return [...new Set([...unknown, ...invalid])].sort();
}

test("each fault is found at the field where the API server finds it (server dry run)", async (t) => {
  const tb = await useTestbed();
  await installCrds();
  const namespace = await createTestNamespace(tb.kubeConfig, "validation");
  const objects = [
    ...FAULTS.map(([what, spec]) => [what, cluster(spec, namespace)] as const),
    ...METADATA_FAULTS.map(([what, metadata]) => {
      const valid = cluster({}, namespace);
      return [what, { ...valid, metadata: { ...valid.metadata, ...metadata } }] as const;
    }),
  ];
  for (const [what, object] of objects) {
    const server = await runProcess("kubectl", ["create", "--dry-run=server", "-f", "-"], JSON.stringify(object));
    t.not(server.code, 0, `the API server refuses ${what}`);
    t.deepEqual(validate(object).map((p) => p.path).sort(), refusedFields(server.stderr), `${what}: ${server.stderr}`);
  }
});

test("the API server accepts every field of Orchest's spec too (server dry run)", async (t) => {
  const tb = await useTestbed();
  await installCrds();
  const namespace = await createTestNamespace(tb.kubeConfig, "validation-orchest");
  const server = await runProcess("kubectl", ["create", "--dry-run=server", "-f", "-"], JSON.stringify(cluster(ORCHEST_SPEC, namespace)));
  t.is(server.code, 0, server.stderr);
});
