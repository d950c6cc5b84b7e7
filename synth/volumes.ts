import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { objectMeta, persistentVolumeClaim } from "./common.js";
import type { SynthContext, VolumePlan } from "./context.js";
import { SHARED_COMPONENT } from "./labels.js";

/** Props of `OrchestVolumes`. */
export interface OrchestVolumesProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
}

/**
 * The PersistentVolumeClaims of the platform: the user directory
 * (`userdir-pvc`, ReadWriteMany unless `singleNode`; default 50Gi) and, when
 * `separateOrchestStateFromUserDir` is set, the Orchest state volume
 * (`orchest-state-pvc`, ReadWriteOnce; default 10Gi). Wave 0.
 */
export class OrchestVolumes extends Construct {
  /** The user directory claim. */
  public readonly userDir: kplus.IPersistentVolumeClaim;
  /** The state claim, when state is separate from the user directory. */
  public readonly state?: kplus.IPersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: OrchestVolumesProps) {
    super(scope, id);
    const ctx = props.context;
    this.userDir = claim(this, "userdir", ctx, ctx.userDir);
    if (ctx.state) this.state = claim(this, "state", ctx, ctx.state);
  }
}

function claim(scope: Construct, id: string, ctx: SynthContext, plan: VolumePlan): kplus.IPersistentVolumeClaim {
  return persistentVolumeClaim(scope, id, {
    metadata: objectMeta(ctx, SHARED_COMPONENT, plan.claimName),
    size: plan.size,
    accessMode: plan.accessMode,
    ...(plan.storageClass !== undefined ? { storageClass: plan.storageClass } : {}),
  }).claim;
}

/** Where a stateful component keeps its data: the state claim when separate, else a sub-path of the user directory. */
export function stateMount(
  volumes: OrchestVolumes,
  userDirSubPath: string,
  stateSubPath: string,
): { readonly claim: kplus.IPersistentVolumeClaim; readonly subPath: string } {
  return volumes.state ? { claim: volumes.state, subPath: stateSubPath } : { claim: volumes.userDir, subPath: userDirSubPath };
}
