/**
 * The operator's own manifests as one cdk8s construct: the single source of
 * `orchest install` and of the Helm chart in charts/orchest-operator.
 */
import { ApiObject, Duration, JsonPatch, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { PROJECT_VERSION, projectImages } from "../project-images.js";
import { LEASE_RULES, operatorClusterRules, type ResourceRule } from "./rules.js";

/** Version of the operator (image tag, chart appVersion, `orchest version`): this project's. */
export const OPERATOR_VERSION = PROJECT_VERSION;
/** Name of every object of the operator. */
export const OPERATOR_NAME = "orchest-operator";
/** Repository of the operator image: this project's image, whose `orchest-operator` program the operator is. */
export const OPERATOR_IMAGE_REPOSITORY = projectImages().project.replace(/:[^:/]+$/, "");

/** Props of `OrchestOperator`; every one has a documented default. */
export interface OrchestOperatorProps {
  /** Namespace the operator runs in. @default "orchest-system" */
  readonly namespace?: string;
  /** Emit the Namespace object too. @default true */
  readonly createNamespace?: boolean;
  /** Operator image. @default `${OPERATOR_IMAGE_REPOSITORY}:${OPERATOR_VERSION}` */
  readonly image?: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** Replicas; more than one needs leader election. @default 1 */
  readonly replicas?: number;
  /** Only the holder of the Lease reconciles; the others stand by warm. @default true */
  readonly leaderElection?: boolean;
  /** @default requests 100m CPU and 128Mi memory, limit 512Mi memory */
  readonly resources?: kplus.ContainerResources;
  /** Port of /healthz, /readyz and /metrics (the engine serves them on one port). @default 8080 */
  readonly httpPort?: number;
  /** Labels of the nodes the operator may run on (`spec.nodeSelector`). @default any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the operator's pods tolerate (`spec.tolerations`). @default none */
  readonly tolerations?: readonly Toleration[];
  /** A PodDisruptionBudget that lets evictions take at most this many operator pods at once. @default none */
  readonly podDisruptionBudget?: { readonly maxUnavailable: number };
  /** Prometheus Operator objects that scrape /metrics (monitoring.coreos.com/v1). @default none */
  readonly monitoring?: OperatorMonitoring;
}

/** A core/v1 Toleration. */
export interface Toleration {
  readonly key?: string;
  readonly operator?: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  readonly tolerationSeconds?: number;
}

/** How the Prometheus Operator finds the operator's /metrics. */
export interface OperatorMonitoring {
  /** A ServiceMonitor on the metrics Service. */
  readonly serviceMonitor?: boolean;
  /** A PodMonitor on the operator's pods (for Prometheus set up without Service discovery). */
  readonly podMonitor?: boolean;
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
}

/** Defaults of `OrchestOperatorProps` (also the chart's values.yaml). */
export const OPERATOR_DEFAULTS = {
  namespace: "orchest-system",
  createNamespace: true,
  image: `${OPERATOR_IMAGE_REPOSITORY}:${OPERATOR_VERSION}`,
  imagePullPolicy: "IfNotPresent",
  replicas: 1,
  leaderElection: true,
  resources: {
    cpu: { request: kplus.Cpu.millis(100) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
  } as kplus.ContainerResources,
  httpPort: 8080,
} as const satisfies Required<Omit<OrchestOperatorProps, OptionalObjects>>;

/** Props that add objects or fields only when set. */
type OptionalObjects = "podDisruptionBudget" | "monitoring" | "nodeSelector" | "tolerations";
type ResolvedProps = Required<Omit<OrchestOperatorProps, OptionalObjects>> & Pick<OrchestOperatorProps, OptionalObjects>;

/** Interval of the monitors when `monitoring.interval` is not set. */
export const DEFAULT_SCRAPE_INTERVAL = "30s";

/**
 * Pod and container hardening of the Pod Security Standards' "restricted" profile; the chart's test pod uses it too.
 * seccompProfile is set on the pod by a patch: cdk8s-plus-28's pod security context has no such prop.
 */
export const POD_SECCOMP = { type: "RuntimeDefault" } as const;
const CONTAINER_SECURITY: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: 65532,
  group: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** Labels of every object of the operator; the first two select its pods. */
export const OPERATOR_LABELS = {
  "app.kubernetes.io/name": OPERATOR_NAME,
  "app.kubernetes.io/instance": OPERATOR_NAME,
  "app.kubernetes.io/component": "operator",
  "app.kubernetes.io/part-of": "orchest",
} as const;

const SELECTOR = { "app.kubernetes.io/name": OPERATOR_NAME, "app.kubernetes.io/instance": OPERATOR_NAME };

const custom = (r: ResourceRule): kplus.ApiResource => kplus.ApiResource.custom({ apiGroup: r.apiGroup, resourceType: r.resource });

/**
 * Namespace (optional), ServiceAccount, least-privilege ClusterRole and
 * binding, a Role for the leader-election Lease in the operator's namespace,
 * the Deployment (probes on /healthz and /readyz), a metrics Service and,
 * when asked, a PodDisruptionBudget, a ServiceMonitor and a PodMonitor.
 */
export class OrchestOperator extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly clusterRole: kplus.ClusterRole;
  public readonly deployment: kplus.Deployment;
  public readonly metricsService: kplus.Service;

  constructor(scope: Construct, id: string, props: OrchestOperatorProps = {}) {
    super(scope, id);
    const p: ResolvedProps = { ...OPERATOR_DEFAULTS, ...props };
    if (p.replicas > 1 && !p.leaderElection) {
      throw new Error(`replicas: ${p.replicas} needs leaderElection: true, or two operators would reconcile the same clusters at once`);
    }
    const meta = (clusterScoped = false) => ({ name: OPERATOR_NAME, ...(clusterScoped ? {} : { namespace: p.namespace }), labels: { ...OPERATOR_LABELS } });

    if (p.createNamespace) new kplus.Namespace(this, "namespace", { metadata: { name: p.namespace, labels: { ...OPERATOR_LABELS } } });
    this.serviceAccount = new kplus.ServiceAccount(this, "service-account", { metadata: meta(), automountToken: true });

    this.clusterRole = new kplus.ClusterRole(this, "cluster-role", { metadata: meta(true) });
    for (const rule of operatorClusterRules()) this.clusterRole.allow([...rule.verbs], custom(rule));
    new kplus.ClusterRoleBinding(this, "cluster-role-binding", { metadata: meta(true), role: this.clusterRole }).addSubjects(this.serviceAccount);

    const leases = new kplus.Role(this, "lease-role", { metadata: meta() });
    for (const rule of LEASE_RULES) leases.allow([...rule.verbs], custom(rule));
    new kplus.RoleBinding(this, "lease-role-binding", { metadata: meta(), role: leases }).addSubjects(this.serviceAccount);

    this.deployment = this.operatorDeployment(p, meta());
    this.metricsService = new kplus.Service(this, "metrics-service", {
      metadata: { ...meta(), name: `${OPERATOR_NAME}-metrics` },
      ports: [{ name: "http-metrics", port: p.httpPort, targetPort: p.httpPort }],
    });
    for (const [k, v] of Object.entries(SELECTOR)) this.metricsService.selectLabel(k, v);

    const selector = { matchLabels: { ...SELECTOR } };
    if (p.podDisruptionBudget) {
      new ApiObject(this, "pod-disruption-budget", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(), spec: { maxUnavailable: p.podDisruptionBudget.maxUnavailable, selector } });
    }
    const endpoint = { path: "/metrics", interval: p.monitoring?.interval ?? DEFAULT_SCRAPE_INTERVAL };
    if (p.monitoring?.serviceMonitor) {
      const spec = { selector, endpoints: [{ port: "http-metrics", ...endpoint }] };
      new ApiObject(this, "service-monitor", { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: meta(), spec });
    }
    if (p.monitoring?.podMonitor) {
      const spec = { selector, podMetricsEndpoints: [{ port: "http", ...endpoint }] };
      new ApiObject(this, "pod-monitor", { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: meta(), spec });
    }
  }

  private operatorDeployment(p: ResolvedProps, metadata: { name: string; namespace?: string; labels: Record<string, string> }): kplus.Deployment {
    const probe = (path: string) => kplus.Probe.fromHttpGet(path, { port: p.httpPort, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(2) });
    const deployment = new kplus.Deployment(this, "deployment", {
      metadata,
      select: false,
      replicas: p.replicas,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: 65532, group: 65532 },
      containers: [
        {
          name: "operator",
          image: p.image,
          imagePullPolicy: p.imagePullPolicy as kplus.ImagePullPolicy,
          // The image's default command may be another of its programs (one image serves operator, api and agent).
          command: ["orchest-operator"],
          args: [`--leader-elect=${p.leaderElection}`, `--http-port=${p.httpPort}`],
          // The Lease lives in the pod's namespace and is held under the pod's name.
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            // Its own image: the release whose api, node-agent, buildkitd and registry it deploys.
            ORCHEST_OPERATOR_IMAGE: kplus.EnvValue.fromValue(p.image),
          },
          ports: [{ name: "http", number: p.httpPort }],
          liveness: probe("/healthz"),
          readiness: probe("/readyz"),
          securityContext: CONTAINER_SECURITY,
          resources: p.resources,
        },
      ],
    });
    ApiObject.of(deployment).addJsonPatch(JsonPatch.add("/spec/template/spec/securityContext/seccompProfile", POD_SECCOMP));
    if (p.nodeSelector) ApiObject.of(deployment).addJsonPatch(JsonPatch.add("/spec/template/spec/nodeSelector", p.nodeSelector));
    if (p.tolerations) ApiObject.of(deployment).addJsonPatch(JsonPatch.add("/spec/template/spec/tolerations", p.tolerations));
    deployment.select(kplus.LabelSelector.of({ labels: SELECTOR }));
    for (const [k, v] of Object.entries(OPERATOR_LABELS)) deployment.podMetadata.addLabel(k, v);
    return deployment;
  }
}
