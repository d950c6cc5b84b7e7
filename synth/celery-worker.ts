import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { objectMeta, requests } from "./common.js";
import { componentEnv, type SynthContext } from "./context.js";
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
 * Service, with its own service account bound to orchest-api's Role.
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
      env: componentEnv(ctx, COMPONENT),
      resources: requests(200, 512),
      serviceAccount: this.serviceAccount,
      volumes: props.volumes,
      trustRegistryCa: true,
    }).deployment;
  }
}
