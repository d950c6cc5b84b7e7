/**
 * `orchest install`: CRDs, the operator (its manifests, or the Helm chart
 * with --helm) and an OrchestCluster, then waits until the cluster is Ready.
 * Every step is idempotent: running it again converges, it never duplicates.
 */
import { spawnSync } from "node:child_process";
import type { OrchestCluster } from "../../crds/types/index.js";
import { orchestClusterResource } from "../../crds/types/index.js";
import { operatorManifests, OPERATOR_DEFAULTS, OPERATOR_NAME } from "../../synth/operator/index.js";
import { readClusterFile } from "../cluster-file.js";
import { CliError } from "../errors.js";
import { Kube } from "../kube.js";
import { duration, parse } from "../options.js";
import { CHART_DIR, crdObjects } from "../paths.js";
import { namespaceOf } from "../target.js";
import { waitForReady } from "../wait.js";
import { INSTALL_OPTIONS, INSTALL_USAGE } from "./usage.js";

/** The cluster `orchest install` creates without -f, as Orchest's installer did. */
export const DEFAULT_CLUSTER_NAME = "cluster-1";

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function installCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(
    args,
    INSTALL_OPTIONS,
    INSTALL_USAGE,
  );
  const timeoutMs = duration("--timeout", values.timeout, 600_000);
  const fromFile = values.file === undefined ? undefined : readClusterFile(values.file);
  const kube = new Kube();
  const namespace = values.namespace ?? fromFile?.metadata?.namespace ?? namespaceOf(kube, undefined);
  const cluster: OrchestCluster = {
    apiVersion: orchestClusterResource.apiVersion,
    kind: orchestClusterResource.kind,
    ...fromFile,
    metadata: { ...fromFile?.metadata, name: fromFile?.metadata?.name ?? DEFAULT_CLUSTER_NAME, namespace },
  };
  delete cluster.status;

  await installCrds(kube);
  const operatorNamespace = values["operator-namespace"] ?? OPERATOR_DEFAULTS.namespace;
  const image = values.image === undefined ? undefined : imageParts(values.image);
  const nodeSelector = labels("--node-selector", values["node-selector"] ?? []);
  if (values.helm) installChart(operatorNamespace, image, nodeSelector);
  else {
    const objects = operatorManifests({ namespace: operatorNamespace, ...(image && { image: image.reference }), ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }) });
    await kube.apply(objects);
    log(`operator: applied ${objects.length} objects (Deployment ${operatorNamespace}/${OPERATOR_NAME})`);
  }
  await kube.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, cluster]);
  log(`OrchestCluster ${namespace}/${cluster.metadata!.name} applied`);
  if (values["no-wait"]) return 0;
  await waitForReady(kube, { namespace, name: cluster.metadata!.name! }, { timeoutMs, progress: log });
  process.stdout.write(`Orchest is Ready. Next: orchest status ${cluster.metadata!.name} -n ${namespace}\n`);
  return 0;
}

/** Applies the CRDs and waits until the API server serves them. */
export async function installCrds(kube: Kube): Promise<void> {
  const crds = crdObjects();
  await kube.apply(crds);
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    while (!(await kube.crdEstablished(crd.metadata!.name!))) {
      if (Date.now() > deadline) throw new CliError(`CustomResourceDefinition ${crd.metadata!.name} is not Established after 60s: kubectl describe crd ${crd.metadata!.name}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  log(`CRDs: ${crds.map((c) => c.metadata!.name).join(", ")} established`);
}

/** An image given as REGISTRY/REPOSITORY:TAG[@DIGEST], as the chart's image values take it. */
interface ImageParts {
  readonly reference: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

function labels(flag: string, pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw new CliError(`${flag}: "${pair}" is not KEY=VALUE, e.g. ${flag} kubernetes.io/os=linux`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

function imageParts(image: string): ImageParts {
  const match = /^([^/]+)\/(.+):([^:/@]+)(@sha256:[a-f0-9]{64})?$/.exec(image);
  if (!match) throw new CliError(`--image: "${image}" is not REGISTRY/REPOSITORY:TAG, e.g. ghcr.io/orchest-gitops/orchest-gitops:0.1.0`);
  return { reference: image, registry: match[1]!, repository: match[2]!, tag: match[3]! };
}

/** `helm upgrade --install` of the chart; the namespace is created by helm, so the chart does not template it. */
function installChart(namespace: string, image: ImageParts | undefined, nodeSelector: Readonly<Record<string, string>>): void {
  const values = [
    ...(image ? ["--set-string", `image.registry=${image.registry},image.repository=${image.repository},image.tag=${image.tag}`] : []),
    // Helm's --set path syntax: dots inside a key are escaped.
    ...Object.entries(nodeSelector).flatMap(([key, value]) => ["--set-string", `nodeSelector.${key.replace(/\./g, "\\.")}=${value}`]),
  ];
  const args = ["upgrade", "--install", OPERATOR_NAME, CHART_DIR, "--namespace", namespace, "--create-namespace", ...values];
  const result = spawnSync("helm", args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.error) throw new CliError(`running helm: ${result.error.message}; install helm (https://helm.sh) or drop --helm to apply the operator's manifests directly`);
  if (result.status !== 0) throw new CliError(`helm ${args.join(" ")} failed (exit ${result.status}); see its output above`);
  log(`operator: Helm release ${OPERATOR_NAME} installed in ${namespace}`);
}
