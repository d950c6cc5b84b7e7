import type { Construct } from "constructs";
import { requests } from "./common.js";
import { WebComponent, type WebComponentProps } from "./web-component.js";

/** Props of `OrchestWebserver` (the user directory is mounted). */
export type OrchestWebserverProps = Required<WebComponentProps>;

/**
 * orchest-webserver (wave 6): Deployment with Orchest's `log-streamer` sidecar (same image, the user
 * directory mounted), Service, and the Ingress of `/` that sends every request through auth-server first
 * and unauthenticated browsers to `/login`.
 */
export class OrchestWebserver extends WebComponent {
  constructor(scope: Construct, id: string, props: OrchestWebserverProps) {
    super(scope, id, props, {
      component: "orchest-webserver",
      resources: requests(100, 256),
      ingress: { path: "/", authenticate: true, signIn: "/login" },
      sidecars: [
        {
          name: "log-streamer",
          command: ["python"],
          args: ["/orchest/services/orchest-webserver/app/scripts/log_streamer.py"],
          resources: requests(20, 64),
        },
      ],
    });
  }
}
