/**
 * Files the CLI ships with, found relative to the compiled module
 * (lib/cli/*.js), so the CLI works from any working directory.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { KubernetesObject } from "@kubernetes/client-node";

/** The package root (the folder of package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The CRDs, single source of truth of the schemas. */
export const CRD_DIR = join(PACKAGE_ROOT, "crds");
/** The Helm chart of the operator. */
export const CHART_DIR = join(PACKAGE_ROOT, "charts", "orchest-operator");

/** File names of the CRDs, sorted. */
export function crdFiles(): string[] {
  return readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml")).sort();
}

/** The CRD objects, in file order. */
export function crdObjects(): KubernetesObject[] {
  return crdFiles().map((f) => YAML.parse(readFileSync(join(CRD_DIR, f), "utf8")) as KubernetesObject);
}
