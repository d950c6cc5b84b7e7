import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { objectMeta, requests } from "./common.js";
import { CELERY_STATE_MOUNT_PATH, type SynthContext } from "./context.js";
import { componentDeployment } from "./deployment.js";
import type { OrchestVolumes } from "./volumes.js";

const COMPONENT = "celery-worker";

/** Props of `CeleryWorker`. */
export interface CeleryWorkerProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes (the user directory is mounted). */
  readonly volumes: OrchestVolumes;
  /** The orchest-api Role, bound to the worker's service account (Orchest's worker had the API's rights). */
  readonly role: kplus.IRole;
}

/**
 * celery-worker (wave 4): kept for compatibility with Orchest's images (builds,
 * jobs and deliveries of the Python API run there). Deployment without a
 * Service, with its own service account bound to orchest-api's Role; its state
 * (CELERY_STATE_DIR) under `.orchest` of the user directory, or on the state
 * claim at /celery-state when state is separate.
 */
export class CeleryWorker extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: CeleryWorkerProps) {
    super(scope, id);
    const ctx = props.context;
    this.serviceAccount = new kplus.ServiceAccount(this, "service-account", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      automountToken: true,
    });
    const binding = new kplus.RoleBinding(this, "role-binding", { metadata: objectMeta(ctx, COMPONENT, COMPONENT), role: props.role });
    binding.addSubjects(this.serviceAccount);
    this.deployment = componentDeployment(this, ctx, {
      component: COMPONENT,
      resources: requests(250, 512),
      serviceAccount: this.serviceAccount,
      volumes: props.volumes,
      trustRegistryCa: true,
    }).deployment;
    // With state separate, celery's state (beat schedule, supervisord files) lives on the state claim.
    if (props.volumes.state) {
      const state = kplus.Volume.fromPersistentVolumeClaim(this, "state", props.volumes.state, { name: "orchest-state" });
      this.deployment.containers[0]!.mount(CELERY_STATE_MOUNT_PATH, state);
    }
  }
}
