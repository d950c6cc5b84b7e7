import type { Construct } from "constructs";
import { requests } from "./common.js";
import { WebComponent, type WebComponentProps } from "./web-component.js";

/** Props of `OrchestWebserver` (port defaults to 80). */
export type OrchestWebserverProps = WebComponentProps;

/**
 * orchest-webserver (wave 6): Deployment and Service; when
 * `spec.orchest.orchestHost` is set, an Ingress for the host that sends every
 * request through auth-server first (ingress-nginx `auth-url`) and does not
 * limit upload sizes.
 */
export class OrchestWebserver extends WebComponent {
  constructor(scope: Construct, id: string, props: OrchestWebserverProps) {
    const namespace = props.context.namespace;
    super(scope, id, props, {
      component: "orchest-webserver",
      resources: requests(100, 256),
      ingressPath: "/",
      ingressAnnotations: {
        "nginx.ingress.kubernetes.io/auth-url": `http://auth-server.${namespace}.svc.cluster.local/auth`,
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
      },
    });
  }
}
