/**
 * `orchest uninstall`: deletes an OrchestCluster and waits until it is gone
 * (the operator's finalizer removes what it created). With --all, every
 * cluster, then the operator and the CRDs.
 */
import { spawnSync } from "node:child_process";
import { operatorManifests, OPERATOR_DEFAULTS, OPERATOR_NAME } from "../../synth/operator/index.js";
import { orchestClusterResource } from "../../crds/types/index.js";
import { CliError } from "../errors.js";
import { Kube, type AnyObject, type ObjectKey } from "../kube.js";
import { duration, parse } from "../options.js";
import { crdObjects } from "../paths.js";
import { resolveCluster } from "../target.js";
import { UNINSTALL_OPTIONS, UNINSTALL_USAGE } from "./usage.js";

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function uninstallCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    UNINSTALL_OPTIONS,
    UNINSTALL_USAGE,
    1,
  );
  const timeoutMs = duration("--timeout", values.timeout, 300_000);
  const kube = new Kube();
  const keys: ObjectKey[] = values.all
    ? (await kube.listClusters(undefined)).map((c) => ({ namespace: c.metadata!.namespace!, name: c.metadata!.name! }))
    : [await resolveCluster(kube, positionals[0], values.namespace)];
  await kube.delete(keys.map((k) => ({ apiVersion: orchestClusterResource.apiVersion, kind: orchestClusterResource.kind, metadata: { ...k } })));
  for (const key of keys) await waitUntilGone(kube, key, timeoutMs);
  if (!values.all) return 0;

  const operatorNamespace = values["operator-namespace"] ?? OPERATOR_DEFAULTS.namespace;
  // A namespace finalizes for a while; an install right after must not find it terminating. (CRDs are not
  // waited for: the apiserver may retry their cleanup with a growing backoff, for minutes.)
  const removed: AnyObject[] = [];
  if (values.helm) {
    const result = spawnSync("helm", ["uninstall", OPERATOR_NAME, "--namespace", operatorNamespace], { stdio: ["ignore", "inherit", "inherit"] });
    if (result.status !== 0) throw new CliError(`helm uninstall ${OPERATOR_NAME} failed; check helm list -n ${operatorNamespace}`);
  } else {
    const manifests = operatorManifests({ namespace: operatorNamespace });
    await kube.delete([...manifests].reverse());
    removed.push(...manifests.filter((m) => m.kind === "Namespace"));
  }
  log(`operator removed from ${operatorNamespace}`);
  await waitUntilRemoved(kube, removed, timeoutMs);
  await kube.delete(crdObjects());
  log("CRDs deleted (the apiserver removes them once their objects are gone)");
  return 0;
}

async function waitUntilRemoved(kube: Kube, objects: readonly AnyObject[], timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const left = await kube.remaining(objects);
    if (left.length === 0) return;
    if (Date.now() - started > timeoutMs) {
      throw new CliError(`still being deleted after ${Math.round(timeoutMs / 1000)}s: ${left.map((o) => `${o.kind} ${o.metadata?.name}`).join(", ")}. Check their finalizers with kubectl get -o yaml`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function waitUntilGone(kube: Kube, key: ObjectKey, timeoutMs: number): Promise<void> {
  const started = Date.now();
  log(`deleting OrchestCluster ${key.namespace}/${key.name}; the operator removes what it created`);
  while (await kube.getCluster(key)) {
    if (Date.now() - started > timeoutMs) {
      throw new CliError(
        `OrchestCluster ${key.namespace}/${key.name} is still there after ${Math.round(timeoutMs / 1000)}s: its finalizer waits for the operator. ` +
          `Check it runs: kubectl -n ${OPERATOR_DEFAULTS.namespace} get pods -l app.kubernetes.io/name=${OPERATOR_NAME}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`OrchestCluster ${key.namespace}/${key.name} deleted`);
}
