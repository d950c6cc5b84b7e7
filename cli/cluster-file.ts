/**
 * Reads the OrchestCluster a user wrote (`-f cluster.yaml`, `-` for stdin)
 * and validates it against its CRD before anything is synthesized or sent.
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { orchestClusterResource, type OrchestCluster } from "../crds/types/index.js";
import { asStored, InvalidObjectError, validate } from "../crds/validation.js";
import { CliError } from "./errors.js";

/** The OrchestCluster of a YAML file: exactly one document of that kind, with a name, valid for the CRD. */
export function readClusterFile(path: string): OrchestCluster {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new CliError(`-f ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of an OrchestCluster YAML file`);
  }
  const documents = YAML.parseAllDocuments(text);
  const broken = documents.find((d) => d.errors.length > 0);
  if (broken) throw new CliError(`-f ${path}: not valid YAML: ${broken.errors[0]!.message}`);
  const clusters = documents.map((d) => d.toJS() as OrchestCluster | null).filter((o) => o?.kind === orchestClusterResource.kind);
  if (clusters.length !== 1) {
    throw new CliError(`-f ${path}: expected one object of kind: ${orchestClusterResource.kind}, found ${clusters.length}; see examples/orchestcluster.yaml`);
  }
  const cluster = clusters[0]!;
  if (cluster.apiVersion !== orchestClusterResource.apiVersion) {
    throw new CliError(`-f ${path}: apiVersion is "${cluster.apiVersion}"; set apiVersion: ${orchestClusterResource.apiVersion}`);
  }
  if (!cluster.metadata?.name) throw new CliError(`-f ${path}: metadata.name is missing; name the cluster, e.g. metadata.name: cluster-1`);
  const problems = validate(cluster);
  if (problems.length > 0) throw new CliError(new InvalidObjectError(`-f ${path}`, problems).message);
  // What the operator would read back from the API server, nulls dropped.
  return asStored(cluster);
}
