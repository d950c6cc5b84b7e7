import test, { type ExecutionContext } from "ava";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { createTestNamespace, useTestbed } from "../testbed/index.js";
import { synth, toYaml } from "../synth/index.js";
import { readClusterFile } from "./cluster-file.js";
import { PACKAGE_ROOT } from "./paths.js";
import { kubectl, orchest } from "./testing.js";
import { tempDir } from "../testbed/temp-dir.js";

const EXAMPLE = join(PACKAGE_ROOT, "examples", "orchestcluster.yaml");

test("prints every synthesized object as multi-document YAML on stdout", async (t) => {
  const { code, stdout } = await orchest("synth", "-f", EXAMPLE);
  t.is(code, 0);
  t.is(stdout, toYaml(synth(readClusterFile(EXAMPLE), { nodes: [], defaultRuntime: "containerd" })));
});

test("writes one file per object and a kustomization that lists them", async (t) => {
  const dir = tempDir(t, "orchest-synth");
  const { code } = await orchest("synth", "-f", EXAMPLE, "-o", dir);
  t.is(code, 0);
  const kustomization = YAML.parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  t.is(kustomization.kind, "Kustomization");
  t.deepEqual([...kustomization.resources].sort(), readdirSync(dir).filter((f) => f !== "kustomization.yaml").sort());
  const first = YAML.parse(readFileSync(join(dir, kustomization.resources[0]), "utf8"));
  t.regex(kustomization.resources[0], new RegExp(`^00-${first.kind.toLowerCase()}-${first.metadata.name}\\.yaml$`));
  t.true(kustomization.resources.includes("07-daemonset-buildkit-daemon.yaml"));
});

test("re-synthesizing a folder for docker nodes removes the buildkit file and nothing else", async (t) => {
  const dir = tempDir(t, "orchest-synth");
  writeFileSync(join(dir, "README.md"), "not ours\n");
  await orchest("synth", "-f", EXAMPLE, "-o", dir, "--runtime", "containerd");
  const before = readdirSync(dir);
  t.is((await orchest("synth", "-f", EXAMPLE, "-o", dir, "--runtime", "docker")).code, 0);
  const after = readdirSync(dir);
  t.deepEqual(before.filter((f) => !after.includes(f)), ["07-configmap-buildkit-daemon-config.yaml", "07-daemonset-buildkit-daemon.yaml"], "buildkit-daemon and its config");
  t.true(existsSync(join(dir, "README.md")));
});

test("names the missing -f flag and exits 2", async (t) => {
  const { code, stderr } = await orchest("synth");
  t.is(code, 2);
  t.regex(stderr, /-f is required/);
  t.regex(stderr, /usage: orchest synth -f cluster\.yaml/);
});

test("rejects an unknown --runtime with exit 2 and lists the runtimes", async (t) => {
  const { code, stderr } = await orchest("synth", "-f", EXAMPLE, "--runtime", "podman");
  t.is(code, 2);
  t.regex(stderr, /--runtime "podman" is not one of containerd, docker/);
});

test("names metadata.name when the cluster file has none and exits 1", async (t) => {
  const file = join(tempDir(t, "orchest-synth"), "cluster.yaml");
  writeFileSync(file, "apiVersion: orchest.io/v1alpha1\nkind: OrchestCluster\nmetadata: {}\n");
  const { code, stderr } = await orchest("synth", "-f", file);
  t.is(code, 1);
  t.regex(stderr, /metadata\.name is missing/);
});

test("the synthesized folder is accepted by kubectl apply --dry-run=server -k", async (t) => {
  const tb = await useTestbed();
  const namespace = await createTestNamespace(tb.kubeConfig, "cli-synth");
  const dir = tempDir(t, "orchest-synth");
  const cluster = YAML.parse(readFileSync(EXAMPLE, "utf8"));
  cluster.metadata.namespace = namespace;
  writeFileSync(join(dir, "cluster.yaml"), YAML.stringify(cluster));
  t.is((await orchest("synth", "-f", join(dir, "cluster.yaml"), "-o", join(dir, "out"))).code, 0);
  const out = await kubectl(["apply", "--dry-run=server", "-k", join(dir, "out")]);
  t.regex(out, /statefulset\.apps\/orchest-database created \(server dry run\)/);
  t.regex(out, /daemonset\.apps\/buildkit-daemon created \(server dry run\)/);
});

const writeSpec = (t: ExecutionContext, spec: unknown): string => {
  const file = join(tempDir(t, "orchest-synth"), "cluster.yaml");
  writeFileSync(file, YAML.stringify({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "c1", namespace: "orchest" }, spec }));
  return file;
};

test("a spec the CRD rejects fails with every problem named by its field, and no stack trace", async (t) => {
  const file = writeSpec(t, { postgres: { image: 5 }, orchest: { version: "2022.10", resources: { userDirVolumeSize: "lots" } } });
  for (const command of [["synth", "-f", file], ["install", "-f", file]]) {
    const { code, stdout, stderr } = await orchest(...command);
    t.is(code, 1, command.join(" "));
    t.is(stdout, "");
    t.notRegex(stderr, /\n\s+at /, "no stack trace");
    t.regex(stderr, /^\s+spec\.postgres\.image: must be a string, not the number 5 \(.+\)$/m);
    t.regex(stderr, /^\s+spec\.orchest\.version: .*CalVer vYYYY\.MM\.N.* got "2022\.10"/m);
    t.regex(stderr, /^\s+spec\.orchest\.resources\.userDirVolumeSize: .*positive quantity such as 50Gi.* got "lots"/m);
  }
});

test("keys left empty (null) are synthesized as if they were absent, as the API server stores them", async (t) => {
  const withNulls = await orchest("synth", "-f", writeSpec(t, { singleNode: null, postgres: { image: null }, orchest: { version: null, env: null } }));
  t.is(withNulls.code, 0, withNulls.stderr);
  t.is(withNulls.stdout, (await orchest("synth", "-f", writeSpec(t, { postgres: {}, orchest: {} }))).stdout);
});
