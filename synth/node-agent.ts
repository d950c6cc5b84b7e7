import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { envVariables, objectMeta, requests, rootContainerSecurity } from "./common.js";
import { REGISTRY_TLS_SECRET, type DaemonSetPlan, type SynthContext } from "./context.js";
import { clusterScopedName, READ, READ_WRITE } from "./orchest-api.js";
import { confineToRuntimeGroup, groupLabels, groupObjectName } from "./runtime.js";

const COMPONENT = "node-agent";

/** Where each runtime reads per-registry certificates on the host. */
export const RUNTIME_CERTS_DIR = { containerd: "/etc/containerd/certs.d", docker: "/etc/docker/certs.d" } as const;

/** Props of `NodeAgent`. */
export interface NodeAgentProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
}

/**
 * node-agent (wave 8): one pod per node that reconciles the node's
 * ImageLocations through the node's container runtime, whose socket is
 * mounted from the host. Mixed clusters get one DaemonSet per runtime (and
 * socket path), each confined to its nodes by node affinity, so docker and
 * containerd nodes coexist. The registry CA is mounted so the agent can make
 * the runtime trust the in-cluster registry (the runtime's certs.d directory
 * is mounted from the host).
 */
export class NodeAgent extends Construct {
  public readonly daemonSets: kplus.DaemonSet[] = [];
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id);
    const ctx = props.context;
    this.serviceAccount = new kplus.ServiceAccount(this, "service-account", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      automountToken: true,
    });
    const custom = (apiGroup: string, resourceType: string): kplus.ApiResource => kplus.ApiResource.custom({ apiGroup, resourceType });
    const role = new kplus.Role(this, "role", { metadata: objectMeta(ctx, COMPONENT, COMPONENT) });
    role.allow(READ_WRITE, custom("orchest.io", "imagelocations"), custom("orchest.io", "imagelocations/status"));
    role.allow(READ, custom("orchest.io", "imagebuilds"), custom("", "pods"));
    role.allow(["create", "patch", "update"], custom("", "events"), custom("events.k8s.io", "events"));
    new kplus.RoleBinding(this, "role-binding", { metadata: objectMeta(ctx, COMPONENT, COMPONENT), role }).addSubjects(this.serviceAccount);
    const nodeReaderName = clusterScopedName(ctx, COMPONENT);
    const nodeReader = new kplus.ClusterRole(this, "node-reader", { metadata: objectMeta(ctx, COMPONENT, nodeReaderName, { clusterScoped: true }) });
    nodeReader.allow(READ, custom("", "nodes"));
    new kplus.ClusterRoleBinding(this, "node-reader-binding", {
      metadata: objectMeta(ctx, COMPONENT, nodeReaderName, { clusterScoped: true }),
      role: nodeReader,
    }).addSubjects(this.serviceAccount);

    const plans = ctx.daemonSets[COMPONENT];
    for (const plan of plans) this.daemonSets.push(this.daemonSet(ctx, plan, plans));
  }

  private daemonSet(ctx: SynthContext, plan: DaemonSetPlan, plans: readonly DaemonSetPlan[]): kplus.DaemonSet {
    const group = plan.group;
    const groups = plans.map((p) => p.group);
    const scope = new Construct(this, group.suffix);
    const name = groupObjectName(COMPONENT, group, groups.length);
    const env = [...plan.env, { name: "CLUSTER_NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }];
    const ds = new kplus.DaemonSet(scope, "daemonset", {
      metadata: objectMeta(ctx, COMPONENT, name, { labels: groupLabels(group) }),
      select: false,
      securityContext: { ensureNonRoot: false },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      terminationGracePeriod: Duration.seconds(30),
      containers: [
        {
          name: COMPONENT,
          image: plan.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          envVariables: envVariables(scope, name, env),
          securityContext: rootContainerSecurity(),
          resources: requests(50, 128),
        },
      ],
    });
    const c = ds.containers[0]!;
    c.mount(
      group.socketPath,
      kplus.Volume.fromHostPath(scope, "socket", "runtime-socket", { path: group.socketPath, type: kplus.HostPathVolumeType.SOCKET }),
    );
    const certs = RUNTIME_CERTS_DIR[group.runtime];
    c.mount(certs, kplus.Volume.fromHostPath(scope, "certs", "runtime-certs", { path: certs, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE }));
    const secret = kplus.Secret.fromSecretName(scope, "registry-tls", REGISTRY_TLS_SECRET);
    c.mount(
      "/tls-secret",
      kplus.Volume.fromSecret(scope, "registry-ca", secret, { name: "registry-ca", items: { "ca.crt": { path: "ca.crt" } }, optional: true }),
      { readOnly: true },
    );
    confineToRuntimeGroup(ctx, ds, COMPONENT, plan, groups);
    return ds;
  }
}
