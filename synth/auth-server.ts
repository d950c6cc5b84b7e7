import type { Construct } from "constructs";
import { requests } from "./common.js";
import { WebComponent, type WebComponentProps } from "./web-component.js";

/** Props of `AuthServer` (it mounts no volume, as in Orchest). */
export type AuthServerProps = Omit<WebComponentProps, "volumes">;

/**
 * auth-server (wave 5): Deployment, Service, and an Ingress for its unauthenticated `/login` path (the
 * webserver's and the API's Ingresses ask it to authenticate every other request).
 */
export class AuthServer extends WebComponent {
  constructor(scope: Construct, id: string, props: AuthServerProps) {
    super(scope, id, props, { component: "auth-server", resources: requests(50, 128), ingress: { path: "/login" } });
  }
}
