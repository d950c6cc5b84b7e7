import * as kplus from "cdk8s-plus-28";
import type { Construct } from "constructs";
import { configurePodTemplate, envVariables, mountRegistryCa, objectMeta, replicas, rootContainerSecurity, selectComponent, singleNodeAffinity } from "./common.js";
import { USERDIR_MOUNT_PATH, type SynthContext } from "./context.js";
import type { OrchestComponentName } from "./labels.js";
import type { OrchestVolumes } from "./volumes.js";

/** A container beside the component's own, in the same pod (same image, the user directory mounted). */
export interface SidecarOptions {
  readonly name: string;
  readonly command: string[];
  readonly args: string[];
  readonly resources: kplus.ContainerResources;
}

/** Options of `componentDeployment`. */
export interface ComponentDeploymentOptions {
  readonly component: OrchestComponentName;
  readonly resources: kplus.ContainerResources;
  /** Port the container serves on; with it a Service of the component's name is created. */
  readonly port?: number;
  /** Port of the Service. @default 80 */
  readonly servicePort?: number;
  /** The container's command and arguments. @default the image's */
  readonly command?: string[];
  readonly args?: string[];
  readonly readiness?: kplus.Probe;
  readonly liveness?: kplus.Probe;
  readonly startup?: kplus.Probe;
  /** Service account; without one the pod gets no API token. */
  readonly serviceAccount?: kplus.IServiceAccount;
  /** Mount the user directory at /userdir. */
  readonly volumes?: OrchestVolumes;
  /** Mount the registry CA as an additional trusted certificate (orchest-api, celery-worker). */
  readonly trustRegistryCa?: boolean;
  /** Containers that run beside the component's. @default none */
  readonly sidecars?: readonly SidecarOptions[];
}

/** A control-plane component's Deployment (and Service). */
export interface ComponentDeployment {
  readonly deployment: kplus.Deployment;
  readonly service?: kplus.Service;
}

/**
 * Deployment of a stateless control-plane component: one replica (0 while paused), rolling updates that
 * start the new pod before stopping the old one (maxSurge 1, maxUnavailable 0) so a component never has
 * zero pods during an update, and the component's plan: image, environment, node selector.
 */
export function componentDeployment(scope: Construct, ctx: SynthContext, opts: ComponentDeploymentOptions): ComponentDeployment {
  const name = opts.component;
  const plan = ctx.components[name];
  let service: kplus.Service | undefined;
  if (opts.port !== undefined) {
    service = new kplus.Service(scope, "service", {
      metadata: objectMeta(ctx, name, name),
      ports: [{ name: "http", port: opts.servicePort ?? 80, targetPort: opts.port }],
    });
    selectComponent(ctx, service, name);
  }
  const deployment = new kplus.Deployment(scope, "deployment", {
    metadata: objectMeta(ctx, name, name),
    select: false,
    replicas: replicas(ctx),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    securityContext: { ensureNonRoot: false },
    automountServiceAccountToken: opts.serviceAccount !== undefined,
    ...(opts.serviceAccount ? { serviceAccount: opts.serviceAccount } : {}),
    containers: [
      {
        name,
        image: plan.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ...(opts.command ? { command: opts.command } : {}),
        ...(opts.args ? { args: opts.args } : {}),
        ...(opts.port !== undefined ? { ports: [{ name: "http", number: opts.port }] } : {}),
        envVariables: envVariables(scope, name, plan.env),
        securityContext: rootContainerSecurity(),
        resources: opts.resources,
        ...(opts.readiness ? { readiness: opts.readiness } : {}),
        ...(opts.liveness ? { liveness: opts.liveness } : {}),
        ...(opts.startup ? { startup: opts.startup } : {}),
      },
      ...(opts.sidecars ?? []).map((s) => ({
        name: s.name,
        image: plan.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: s.command,
        args: s.args,
        securityContext: rootContainerSecurity(),
        resources: s.resources,
      })),
    ],
  });
  if (opts.volumes) {
    const userDir = kplus.Volume.fromPersistentVolumeClaim(scope, "userdir", opts.volumes.userDir, { name: "userdir" });
    for (const container of deployment.containers) container.mount(USERDIR_MOUNT_PATH, userDir);
  }
  if (opts.trustRegistryCa) {
    mountRegistryCa(ctx, deployment, deployment.containers[0]!, "/usr/lib/ssl/certs/additional-ca-cert-bundle.crt", "additional-ca-cert-bundle.crt");
  }
  const affinity = singleNodeAffinity(ctx);
  configurePodTemplate(ctx, deployment, {
    component: name,
    nodeSelector: plan.nodeSelector,
    orchestDns: true,
    ...(affinity ? { affinity } : {}),
  });
  return service ? { deployment, service } : { deployment };
}
