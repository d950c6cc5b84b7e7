import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { objectMeta, requests } from "./common.js";
import { componentEnv, type SynthContext } from "./context.js";
import { componentDeployment } from "./deployment.js";
import type { OrchestVolumes } from "./volumes.js";

const COMPONENT = "auth-server";

/** Props of `AuthServer`. */
export interface AuthServerProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes (the user directory is mounted). */
  readonly volumes: OrchestVolumes;
  /**
   * Port the auth server serves on.
   * @default 80
   */
  readonly port?: number;
}

/**
 * auth-server (wave 5): Deployment and Service; when `spec.orchest.orchestHost`
 * is set, an Ingress for its unauthenticated `/login` path (the webserver's
 * Ingress asks it to authenticate every other request).
 */
export class AuthServer extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly ingress?: kplus.Ingress;

  constructor(scope: Construct, id: string, props: AuthServerProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 80;
    const { deployment, service } = componentDeployment(this, ctx, {
      component: COMPONENT,
      env: componentEnv(ctx, COMPONENT),
      resources: requests(50, 128),
      port,
      volumes: props.volumes,
      readiness: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5) }),
      startup: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
    });
    this.deployment = deployment;
    this.service = service!;
    if (ctx.host !== undefined) {
      this.ingress = new kplus.Ingress(this, "ingress", {
        metadata: objectMeta(ctx, COMPONENT, COMPONENT),
        className: ctx.ingressClassName,
      });
      this.ingress.addHostRule(ctx.host, "/login", kplus.IngressBackend.fromService(this.service, { port: 80 }), kplus.HttpIngressPathType.PREFIX);
    }
  }
}
