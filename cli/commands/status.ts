/** `orchest status`: kubectl-like table, one cluster's components and conditions, or JSON/YAML. */
import YAML from "yaml";
import type { OrchestCluster } from "../../crds/types/index.js";
import { Kube } from "../kube.js";
import { duration, oneOf, parse } from "../options.js";
import { clusterDetails, clusterTable } from "../status-view.js";
import { namespaceOf, requireCluster } from "../target.js";
import { waitForReady } from "../wait.js";
import { STATUS_OPTIONS, STATUS_USAGE } from "./usage.js";

const FORMATS = ["table", "json", "yaml"] as const;

export async function statusCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    STATUS_OPTIONS,
    STATUS_USAGE,
    1,
  );
  const format = oneOf("-o", values.output, FORMATS, "table");
  const timeoutMs = duration("--timeout", values.timeout, 600_000);
  const kube = new Kube();
  const name = positionals[0];
  let clusters: OrchestCluster[];
  if (name !== undefined) {
    const key = { namespace: namespaceOf(kube, values.namespace), name };
    clusters = [values.wait ? await waitForReady(kube, key, { timeoutMs, progress: (l) => process.stderr.write(`${l}\n`) }) : await requireCluster(kube, key)];
  } else {
    clusters = await kube.listClusters(values["all-namespaces"] ? undefined : namespaceOf(kube, values.namespace));
    if (values.wait) {
      const progress = (l: string) => process.stderr.write(`${l}\n`);
      clusters = await Promise.all(clusters.map((c) => waitForReady(kube, { namespace: c.metadata!.namespace!, name: c.metadata!.name! }, { timeoutMs, progress })));
    }
  }
  if (format === "json") process.stdout.write(`${JSON.stringify(name !== undefined ? clusters[0] : { apiVersion: "v1", kind: "List", items: clusters }, null, 2)}\n`);
  else if (format === "yaml") process.stdout.write(YAML.stringify(name !== undefined ? clusters[0] : { apiVersion: "v1", kind: "List", items: clusters }));
  else if (clusters.length === 0) process.stderr.write("No OrchestClusters found; orchest install creates one.\n");
  else {
    const now = new Date();
    process.stdout.write(clusterTable(clusters, now, values["all-namespaces"] === true));
    if (name !== undefined) process.stdout.write(`\n${clusterDetails(clusters[0]!, now)}`);
  }
  return 0;
}
