import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { objectMeta, type requests } from "./common.js";
import { componentEnv, type SynthContext } from "./context.js";
import type { OrchestComponentName } from "./labels.js";
import { componentDeployment } from "./deployment.js";
import type { OrchestVolumes } from "./volumes.js";

/** Props of the HTTP components served under the Orchest host (auth-server, orchest-webserver). */
export interface WebComponentProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes (the user directory is mounted). */
  readonly volumes: OrchestVolumes;
  /**
   * Port the component serves on.
   * @default 80
   */
  readonly port?: number;
}

/** What tells one web component from another. */
export interface WebComponentShape {
  readonly component: OrchestComponentName;
  readonly resources: ReturnType<typeof requests>;
  /** Path of the host this component serves through the Ingress. */
  readonly ingressPath: string;
  readonly ingressAnnotations?: Readonly<Record<string, string>>;
}

/** Deployment and Service of a web component; when `spec.orchest.orchestHost` is set, an Ingress for its path. */
export class WebComponent extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly ingress?: kplus.Ingress;

  constructor(scope: Construct, id: string, props: WebComponentProps, shape: WebComponentShape) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 80;
    const { deployment, service } = componentDeployment(this, ctx, {
      component: shape.component,
      env: componentEnv(ctx, shape.component),
      resources: shape.resources,
      port,
      volumes: props.volumes,
      readiness: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5) }),
      startup: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
    });
    this.deployment = deployment;
    this.service = service!;
    if (ctx.host !== undefined) {
      this.ingress = new kplus.Ingress(this, "ingress", {
        metadata: objectMeta(ctx, shape.component, shape.component, { ...(shape.ingressAnnotations ? { annotations: { ...shape.ingressAnnotations } } : {}) }),
        className: ctx.ingressClassName,
      });
      this.ingress.addHostRule(ctx.host, shape.ingressPath, kplus.IngressBackend.fromService(this.service, { port: 80 }), kplus.HttpIngressPathType.PREFIX);
    }
  }
}
