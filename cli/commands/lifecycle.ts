/**
 * `orchest pause`, `resume`, `restart`: one merge patch each on the
 * OrchestCluster; the operator does the scaling and rolling.
 */
import { ANNOTATIONS } from "../../synth/index.js";
import { Kube } from "../kube.js";
import { NAMESPACE_OPTION, parse } from "../options.js";
import { requireCluster, resolveCluster } from "../target.js";
import { lifecycleUsage, type LifecycleCommand } from "./usage.js";

/** What each command patches, and what it tells the user. */
const LIFECYCLE = {
  pause: {
    patch: () => ({ spec: { orchest: { pause: true } } }),
    done: "pausing: the operator scales the components down in reverse deployment order",
  },
  resume: {
    // Removing the field rather than writing the default `false` keeps the spec as the user wrote it.
    patch: () => ({ spec: { orchest: { pause: null } } }),
    done: "resuming: the operator starts the components in deployment order",
  },
  restart: {
    patch: () => ({ metadata: { annotations: { [ANNOTATIONS.restart]: new Date().toISOString() } } }),
    done: "restarting: every component rolls its pods",
  },
} as const satisfies Record<LifecycleCommand, { readonly patch: () => object; readonly done: string }>;


export async function lifecycleCommand(command: LifecycleCommand, args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, NAMESPACE_OPTION, lifecycleUsage(command), 1);
  const kube = new Kube();
  const key = await resolveCluster(kube, positionals[0], values.namespace);
  await requireCluster(kube, key);
  await kube.patchCluster(key, LIFECYCLE[command].patch());
  process.stdout.write(`${key.name}: ${LIFECYCLE[command].done}. Follow it with orchest status ${key.name} -n ${key.namespace} --wait\n`);
  return 0;
}
