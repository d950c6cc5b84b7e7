import type * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { objectMeta, persistentVolumeClaim } from "./common.js";
import type { SynthContext } from "./context.js";
import { SHARED_COMPONENT } from "./labels.js";

/** Props of `OrchestVolumes`. */
export interface OrchestVolumesProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
}

/**
 * The PersistentVolumeClaims of the platform, named as Orchest names them so that an existing install's
 * data is found: the user directory (`userdir-pvc`, ReadWriteOnce on a single node, else ReadWriteMany;
 * default 50Gi) and, when `separateOrchestStateFromUserDir` is set, the Orchest state volume
 * (`orchest-state`, ReadWriteOnce; default 5Gi). Wave 0.
 */
export class OrchestVolumes extends Construct {
  /** The user directory claim. */
  public readonly userDir: kplus.IPersistentVolumeClaim;
  /** The state claim, when state is separate from the user directory. */
  public readonly state?: kplus.IPersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: OrchestVolumesProps) {
    super(scope, id);
    const ctx = props.context;
    this.userDir = persistentVolumeClaim(this, "userdir", objectMeta(ctx, SHARED_COMPONENT, ctx.userDir.claimName), ctx.userDir).claim;
    if (ctx.state) this.state = persistentVolumeClaim(this, "state", objectMeta(ctx, SHARED_COMPONENT, ctx.state.claimName), ctx.state).claim;
  }

  /** Where Orchest keeps a stateful component's data: the state claim when separate, else the user directory. */
  public stateClaim(): kplus.IPersistentVolumeClaim {
    return this.state ?? this.userDir;
  }
}
