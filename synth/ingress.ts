import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { objectMeta } from "./common.js";
import type { SynthContext } from "./context.js";
import type { OrchestComponentName } from "./labels.js";

/** Props of `OrchestIngress`. */
export interface OrchestIngressProps {
  /** Resolved cluster settings (host, ingress class, namespace). */
  readonly context: SynthContext;
  readonly component: OrchestComponentName;
  /** The component's Service; the Ingress sends to its port 80. */
  readonly service: kplus.Service;
  /** Path of the rule (Prefix). */
  readonly path: string;
  /** Ask auth-server first (ingress-nginx `auth-url`). @default false */
  readonly authenticate?: boolean;
  /** Where unauthenticated browsers are sent (ingress-nginx `auth-signin`). @default none */
  readonly signIn?: string;
  /** ingress-nginx `rewrite-target` of the path's capture groups. @default none */
  readonly rewriteTarget?: string;
}

/**
 * The Ingress Orchest's controller creates for a component (getIngressManifest): always, for the host
 * `spec.orchest.orchestHost` when set and for any host otherwise, with the cluster's ingress-nginx class,
 * no upload limit (`proxy-body-size: 0`) and, as asked, auth-server in front.
 */
export class OrchestIngress extends Construct {
  public readonly ingress: kplus.Ingress;

  constructor(scope: Construct, id: string, props: OrchestIngressProps) {
    super(scope, id);
    const ctx = props.context;
    const annotations: Record<string, string> = { "nginx.ingress.kubernetes.io/proxy-body-size": "0" };
    if (props.authenticate) annotations["nginx.ingress.kubernetes.io/auth-url"] = `http://auth-server.${ctx.namespace}.svc.cluster.local/auth`;
    if (props.signIn !== undefined) annotations["nginx.ingress.kubernetes.io/auth-signin"] = props.signIn;
    if (props.rewriteTarget !== undefined) annotations["nginx.ingress.kubernetes.io/rewrite-target"] = props.rewriteTarget;
    this.ingress = new kplus.Ingress(this, "ingress", {
      metadata: objectMeta(ctx, props.component, props.component, { annotations }),
      className: ctx.ingressClassName,
    });
    const backend = kplus.IngressBackend.fromService(props.service, { port: 80 });
    if (ctx.host !== undefined) this.ingress.addHostRule(ctx.host, props.path, backend, kplus.HttpIngressPathType.PREFIX);
    else this.ingress.addRule(props.path, backend, kplus.HttpIngressPathType.PREFIX);
  }
}
