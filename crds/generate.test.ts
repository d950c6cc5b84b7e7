import test from "ava";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findDrift, generateTypes, repoRootFrom, REGENERATE_COMMAND } from "./generate.js";

const root = repoRootFrom(import.meta.url);

test("committed crds/types match what crds/*.yaml generate", async (t) => {
  const drift = await findDrift(root);
  t.deepEqual(
    drift,
    [],
    `crds/types is out of date with the CRD YAML:\n  ${drift.join("\n  ")}\nRegenerate with: ${REGENERATE_COMMAND}`,
  );
});

test("generates byte-identical files on every run", async (t) => {
  const a = await generateTypes(join(root, "crds"));
  const b = await generateTypes(join(root, "crds"));
  t.deepEqual(a, b);
  t.true(a.some((f) => f.path === "crds/types/orchestcluster.ts"));
});

test("emits a schema repeated under one title as a single type", async (t) => {
  const files = await generateTypes(join(root, "crds"));
  const oc = files.find((f) => f.path === "crds/types/orchestcluster.ts")!.content;
  t.is(oc.match(/export interface OrchestComponentTemplate\b/g)?.length, 1);
  t.is(oc.match(/export interface EnvVar\b/g)?.length, 1);
  t.regex(oc, /orchestApi\?: OrchestComponentTemplate;/);
  const common = files.find((f) => f.path === "crds/types/common.ts")!.content;
  t.regex(common, /export interface Condition\b/);
});

test("exports the API coordinates of every kind", async (t) => {
  const files = await generateTypes(join(root, "crds"));
  const index = files.find((f) => f.path === "crds/types/index.ts")!.content;
  for (const k of ["orchestClusterResource", "imageBuildResource", "imageLocationResource", "eventDeliveryResource"]) {
    t.regex(index, new RegExp(`export const ${k} = `));
  }
});

const crdWith = (a: string, b: string): string => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.io}
spec:
  group: example.io
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                a: {title: Part, type: object, properties: {x: {type: ${a}}}}
                b: {title: Part, type: object, properties: {x: {type: ${b}}}}
`;

test("refuses one title naming two different schemas, naming both paths", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "crdgen-"));
  try {
    writeFileSync(join(dir, "thing.yaml"), crdWith("string", "integer"));
    const err = await t.throwsAsync(generateTypes(dir));
    t.regex(err!.message, /Part names two different schemas \(Thing\.spec\.a and Thing\.spec\.b\)/);
    writeFileSync(join(dir, "thing.yaml"), crdWith("string", "string"));
    const files = await generateTypes(dir);
    t.regex(files.find((f) => f.path.endsWith("/thing.ts"))!.content, /b\?: Part;/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
