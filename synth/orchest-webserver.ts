import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { objectMeta, requests } from "./common.js";
import { componentEnv, type SynthContext } from "./context.js";
import { componentDeployment } from "./deployment.js";
import type { OrchestVolumes } from "./volumes.js";

const COMPONENT = "orchest-webserver";

/** Props of `OrchestWebserver`. */
export interface OrchestWebserverProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes (the user directory is mounted). */
  readonly volumes: OrchestVolumes;
  /**
   * Port the webserver serves on.
   * @default 80
   */
  readonly port?: number;
}

/**
 * orchest-webserver (wave 6): Deployment and Service; when
 * `spec.orchest.orchestHost` is set, an Ingress for the host that sends every
 * request through auth-server first (ingress-nginx `auth-url`) and does not
 * limit upload sizes.
 */
export class OrchestWebserver extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly ingress?: kplus.Ingress;

  constructor(scope: Construct, id: string, props: OrchestWebserverProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 80;
    const { deployment, service } = componentDeployment(this, ctx, {
      component: COMPONENT,
      env: componentEnv(ctx, COMPONENT),
      resources: requests(100, 256),
      port,
      volumes: props.volumes,
      readiness: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5) }),
      startup: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
    });
    this.deployment = deployment;
    this.service = service!;
    if (ctx.host !== undefined) {
      this.ingress = new kplus.Ingress(this, "ingress", {
        metadata: objectMeta(ctx, COMPONENT, COMPONENT, {
          annotations: {
            "nginx.ingress.kubernetes.io/auth-url": `http://auth-server.${ctx.namespace}.svc.cluster.local/auth`,
            "nginx.ingress.kubernetes.io/proxy-body-size": "0",
          },
        }),
        className: ctx.ingressClassName,
      });
      this.ingress.addHostRule(ctx.host, "/", kplus.IngressBackend.fromService(this.service, { port: 80 }), kplus.HttpIngressPathType.PREFIX);
    }
  }
}
