import type { Construct } from "constructs";
import { requests } from "./common.js";
import { WebComponent, type WebComponentProps } from "./web-component.js";

/** Props of `AuthServer` (port defaults to 80). */
export type AuthServerProps = WebComponentProps;

/**
 * auth-server (wave 5): Deployment and Service; when `spec.orchest.orchestHost`
 * is set, an Ingress for its unauthenticated `/login` path (the webserver's
 * Ingress asks it to authenticate every other request).
 */
export class AuthServer extends WebComponent {
  constructor(scope: Construct, id: string, props: AuthServerProps) {
    super(scope, id, props, { component: "auth-server", resources: requests(50, 128), ingressPath: "/login" });
  }
}
