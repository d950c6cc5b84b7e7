/**
 * Waits until an OrchestCluster is Ready for its current generation,
 * printing a progress line each time what it waits for changes.
 */
import type { OrchestCluster } from "../crds/types/index.js";
import { CliError } from "./errors.js";
import type { Kube, ObjectKey } from "./kube.js";
import { OPERATOR_NAME, OPERATOR_DEFAULTS } from "../synth/operator/index.js";
import { isReady, progressLine } from "./status-view.js";

/** Options of `waitForReady`. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Receives each new progress line. */
  readonly progress: (line: string) => void;
  /** @default 1000 */
  readonly pollMs?: number;
}

/** How long after a start a progress line was printed: [12s]. */
const elapsed = (started: number): string => `[${Math.round((Date.now() - started) / 1000)}s]`;

/** Polls the cluster until Ready; a timeout is a failure that says where to look. */
export async function waitForReady(kube: Kube, key: ObjectKey, options: WaitOptions): Promise<OrchestCluster> {
  const started = Date.now();
  let last = "";
  for (;;) {
    const cluster = await kube.getCluster(key);
    if (!cluster) throw new CliError(`OrchestCluster ${key.namespace}/${key.name} was deleted while waiting for it`);
    const line = isReady(cluster) ? "Ready" : progressLine(cluster);
    if (line !== last) options.progress(`${elapsed(started)} ${key.name}: ${line}`);
    last = line;
    if (isReady(cluster)) return cluster;
    if (Date.now() - started >= options.timeoutMs) {
      throw new CliError(
        `OrchestCluster ${key.namespace}/${key.name} is not Ready after ${Math.round(options.timeoutMs / 1000)}s (${line}). ` +
          `See orchest status ${key.name} -n ${key.namespace}; if it has no status, check the operator: ` +
          `kubectl -n ${OPERATOR_DEFAULTS.namespace} logs deploy/${OPERATOR_NAME}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}
