import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { objectMeta, requests } from "./common.js";
import type { SynthContext } from "./context.js";
import { componentDeployment } from "./deployment.js";
import { OrchestIngress } from "./ingress.js";
import type { OrchestVolumes } from "./volumes.js";

const COMPONENT = "orchest-api";

/** Props of `OrchestApi`. */
export interface OrchestApiProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes (the user directory is mounted). */
  readonly volumes: OrchestVolumes;
  /**
   * Port the API serves on in its pod (this project's api runs as a non-root user, so not 80); its Service
   * listens on 80, as Orchest's.
   * @default 8080
   */
  readonly port?: number;
}

/** Verbs of a full read-write grant. */
export const READ_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
/** Verbs of a read grant. */
export const READ = ["get", "list", "watch"];

const custom = (apiGroup: string, resourceType: string): kplus.ApiResource => kplus.ApiResource.custom({ apiGroup, resourceType });

/** Name of a cluster-scoped object of a cluster: unique across namespaces and clusters. */
export function clusterScopedName(ctx: SynthContext, component: string): string {
  return `orchest-${ctx.namespace}-${ctx.clusterName}-${component}`;
}

/**
 * orchest-api (wave 3): Deployment, Service, Ingress and RBAC. Orchest gave the API
 * cluster-admin; here it gets a namespaced Role over what it manages (session
 * and build pods, their services and volumes, Orchest's custom resources) and
 * read access to nodes (image-aware scheduling). celery-worker binds the same
 * Role.
 */
export class OrchestApi extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly ingress: kplus.Ingress;
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Namespaced permissions of the API (also bound to celery-worker). */
  public readonly role: kplus.Role;
  /** Cluster-wide read access to nodes. */
  public readonly nodeReader: kplus.ClusterRole;

  constructor(scope: Construct, id: string, props: OrchestApiProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 8080;
    this.serviceAccount = new kplus.ServiceAccount(this, "service-account", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      automountToken: true,
    });
    this.role = new kplus.Role(this, "role", { metadata: objectMeta(ctx, COMPONENT, COMPONENT) });
    this.role.allow(
      READ_WRITE,
      ...["pods", "pods/log", "pods/exec", "services", "configmaps", "secrets", "persistentvolumeclaims", "events"].map((r) => custom("", r)),
    );
    this.role.allow(READ_WRITE, ...["deployments", "statefulsets", "daemonsets"].map((r) => custom("apps", r)));
    this.role.allow(READ_WRITE, custom("batch", "jobs"), custom("networking.k8s.io", "ingresses"), custom("argoproj.io", "workflows"));
    this.role.allow(
      READ_WRITE,
      ...[
        "imagebuilds",
        "imagebuilds/status",
        "imagelocations",
        "imagelocations/status",
        "eventdeliveries",
        "eventdeliveries/status",
        "pipelineruns",
        "pipelineruns/status",
        "subscribers",
        "subscribers/status",
        // Deliveries are owned by their Subscriber; setting that ownerReference needs update on finalizers.
        "subscribers/finalizers",
        "authusers",
        // An auth user's key Secrets are owned by its AuthUser.
        "authusers/finalizers",
        "gitimports",
        "gitimports/status",
        // Clone pods are owned by their GitImport.
        "gitimports/finalizers",
        "sessions",
        "sessions/status",
        // Jupyter servers are owned by their Session, which a finalizer holds until its stop is recorded.
        "sessions/finalizers",
        "environmentshells",
        "environmentshells/status",
        // A shell's sshd Deployment and Service are owned by its EnvironmentShell.
        "environmentshells/finalizers",
      ].map((r) => custom("orchest.io", r)),
    );
    // The api's manager: leader election on a Lease, and Events for kubectl describe.
    this.role.allow(READ_WRITE, custom("coordination.k8s.io", "leases"), custom("events.k8s.io", "events"));
    this.role.allow(READ, custom("orchest.io", "orchestclusters"));
    const binding = new kplus.RoleBinding(this, "role-binding", { metadata: objectMeta(ctx, COMPONENT, COMPONENT), role: this.role });
    binding.addSubjects(this.serviceAccount);

    const nodeReaderName = clusterScopedName(ctx, COMPONENT);
    this.nodeReader = new kplus.ClusterRole(this, "node-reader", { metadata: objectMeta(ctx, COMPONENT, nodeReaderName, { clusterScoped: true }) });
    this.nodeReader.allow(READ, custom("", "nodes"));
    const crb = new kplus.ClusterRoleBinding(this, "node-reader-binding", {
      metadata: objectMeta(ctx, COMPONENT, nodeReaderName, { clusterScoped: true }),
      role: this.nodeReader,
    });
    crb.addSubjects(this.serviceAccount);

    // What this project's api reads (api/options.ts): where to listen, the registry builds are named after, the
    // builder, git and Jupyter server images of its own release; its namespace comes from POD_NAMESPACE (below).
    const { deployment, service } = componentDeployment(this, ctx, {
      component: COMPONENT,
      resources: requests(200, 512),
      port,
      command: ["orchest-api"],
      args: [
        `--listen=0.0.0.0:${port}`,
        `--registry=${ctx.registryHost}`,
        `--builder-image-buildctl=${ctx.builderImages.buildctl}`,
        `--builder-image-docker=${ctx.builderImages.docker}`,
        `--git-image=${ctx.gitImage}`,
        `--jupyter-image=${ctx.jupyterImage}`,
        `--orchest-version=${ctx.version}`,
      ],
      serviceAccount: this.serviceAccount,
      volumes: props.volumes,
      trustRegistryCa: true,
      readiness: kplus.Probe.fromHttpGet("/readyz", {
        port,
        // Orchest's timing: the API may answer slowly while it starts.
        periodSeconds: Duration.seconds(5),
        timeoutSeconds: Duration.seconds(20),
        failureThreshold: 3,
        successThreshold: 1,
      }),
      liveness: kplus.Probe.fromHttpGet("/healthz", { port, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6 }),
      startup: kplus.Probe.fromHttpGet("/healthz", { port, periodSeconds: Duration.seconds(2), failureThreshold: 150 }),
    });
    this.deployment = deployment;
    this.service = service!;
    // Orchest's /orchest-api route: the API behind auth-server, the prefix stripped.
    this.ingress = new OrchestIngress(this, "ingress", {
      context: ctx,
      component: COMPONENT,
      service: this.service,
      path: "/orchest-api(/|$)(.*)",
      authenticate: true,
      rewriteTarget: "/$2",
    }).ingress;
  }
}
