import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import type { SynthContext } from "./context.js";
import { componentDeployment, type SidecarOptions } from "./deployment.js";
import { OrchestIngress, type OrchestIngressProps } from "./ingress.js";
import type { OrchestComponentName } from "./labels.js";
import type { OrchestVolumes } from "./volumes.js";

/** Props of the HTTP components served through the Ingress (auth-server, orchest-webserver). */
export interface WebComponentProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes, to mount the user directory. @default none: no user directory (auth-server) */
  readonly volumes?: OrchestVolumes;
}

/** What tells one web component from another. */
export interface WebComponentShape {
  readonly component: OrchestComponentName;
  readonly resources: kplus.ContainerResources;
  /** The component's Ingress rule and annotations. */
  readonly ingress: Pick<OrchestIngressProps, "path" | "authenticate" | "signIn">;
  readonly sidecars?: readonly SidecarOptions[];
}

const PORT = 80;

/** Deployment, Service on port 80 and Ingress of a web component. */
export class WebComponent extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly ingress: kplus.Ingress;

  constructor(scope: Construct, id: string, props: WebComponentProps, shape: WebComponentShape) {
    super(scope, id);
    const ctx = props.context;
    const { deployment, service } = componentDeployment(this, ctx, {
      component: shape.component,
      resources: shape.resources,
      port: PORT,
      ...(props.volumes ? { volumes: props.volumes } : {}),
      readiness: kplus.Probe.fromTcpSocket({ port: PORT, periodSeconds: Duration.seconds(5) }),
      startup: kplus.Probe.fromTcpSocket({ port: PORT, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
      ...(shape.sidecars ? { sidecars: shape.sidecars } : {}),
    });
    this.deployment = deployment;
    this.service = service!;
    this.ingress = new OrchestIngress(this, "ingress", { context: ctx, component: shape.component, service: this.service, ...shape.ingress }).ingress;
  }
}
