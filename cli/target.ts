/**
 * Which OrchestCluster a command acts on: `NAME` and `-n NAMESPACE`, or the
 * only cluster of the namespace. The namespace defaults to the kubeconfig
 * context's, then to Orchest's ("orchest").
 */
import { DEFAULT_NAMESPACE } from "../synth/index.js";
import { CliError } from "./errors.js";
import type { Kube, ObjectKey } from "./kube.js";

/** The namespace of `-n`, else the current context's, else "orchest". */
export function namespaceOf(kube: Kube, flag: string | undefined): string {
  return flag ?? kube.contextNamespace() ?? DEFAULT_NAMESPACE;
}

/** The cluster named on the command line, or the namespace's only one. */
export async function resolveCluster(kube: Kube, name: string | undefined, namespaceFlag: string | undefined): Promise<ObjectKey> {
  const namespace = namespaceOf(kube, namespaceFlag);
  if (name !== undefined) return { namespace, name };
  const names = (await kube.listClusters(namespace)).map((c) => c.metadata!.name!);
  if (names.length === 1) return { namespace, name: names[0]! };
  if (names.length === 0) {
    throw new CliError(`no OrchestCluster in namespace ${namespace}: create one with orchest install, or pick the namespace with -n`);
  }
  throw new CliError(`namespace ${namespace} has ${names.length} OrchestClusters (${names.join(", ")}): name one, e.g. orchest <command> ${names[0]}`);
}

/** The cluster, or a failure saying it does not exist and how to list the others. */
export async function requireCluster(kube: Kube, key: ObjectKey) {
  const cluster = await kube.getCluster(key);
  if (!cluster) throw new CliError(`OrchestCluster ${key.name} not found in namespace ${key.namespace}: list them with orchest status -A`);
  return cluster;
}
