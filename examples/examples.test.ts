import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { PACKAGE_ROOT } from "../cli/paths.js";
import { installCrds, kubectl } from "../cli/testing.js";
import { useTestbed } from "../testbed/index.js";

const example = (file: string) => join(PACKAGE_ROOT, "examples", file);
const documents = (file: string) => YAML.parseAllDocuments(readFileSync(example(file), "utf8")).map((d) => d.toJS());

test("examples/orchestcluster.yaml is accepted by the API server with the CRDs installed (dry run)", async (t) => {
  await useTestbed();
  await installCrds();
  await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "orchest" } }));
  const out = await kubectl(["apply", "--dry-run=server", "-f", example("orchestcluster.yaml")]);
  t.regex(out, /orchestcluster\.orchest\.io\/cluster-1 (created|configured|unchanged) \(server dry run\)/);
});

test("the Argo CD Application and the Flux Kustomization sync the same synthesized folder", (t) => {
  const [application] = documents("argocd-application.yaml");
  const [repository, kustomization] = documents("flux-kustomization.yaml");
  t.is(application.spec.source.path, "deploy/orchest");
  t.is(kustomization.spec.path, "./deploy/orchest");
  t.is(application.spec.source.repoURL, repository.spec.url);
  t.is(kustomization.spec.sourceRef.name, repository.metadata.name);
  t.true(kustomization.spec.prune && application.spec.syncPolicy.automated.prune, "objects removed from the folder are pruned");
});

test("examples/session.yaml is accepted by the API server with the CRDs installed (dry run)", async (t) => {
  await useTestbed();
  await installCrds();
  await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "orchest" } }));
  const out = await kubectl(["apply", "--dry-run=server", "-n", "orchest", "-f", example("session.yaml")]);
  t.regex(out, /session\.orchest\.io\/demo (created|configured|unchanged) \(server dry run\)/);
});
