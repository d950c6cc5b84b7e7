import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { envVariables, mountRegistryCa, objectMeta, requests, rootContainerSecurity, STARTUP_PROBE_TIMING } from "./common.js";
import { type DaemonSetPlan, type SynthContext } from "./context.js";
import { clusterScopedName, READ, READ_WRITE } from "./orchest-api.js";
import { confineToRuntimeGroup, groupLabels, groupObjectName } from "./runtime.js";

const COMPONENT = "node-agent";
/** The agent's probes and metrics (/healthz, /readyz, /metrics). */
export const NODE_AGENT_HTTP_PORT = 8081;
/** Where the agent serves its node's image blobs to the other nodes' containerd (peers). */
export const NODE_AGENT_PEER_PORT = 9484;
/** The registry's CA in the agent's pod. */
const REGISTRY_CA = "/tls-secret/ca.crt";

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
    // What the agent lists, watches and writes (agent/agent.ts, location- and wanted-reconciler): its node's
    // ImageLocations; the builds and the clusters (their pre-pull lists) that say which images are wanted.
    role.allow(READ_WRITE, custom("orchest.io", "imagelocations"), custom("orchest.io", "imagelocations/status"));
    role.allow(READ, custom("orchest.io", "imagebuilds"), custom("orchest.io", "orchestclusters"));
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
    const certs = RUNTIME_CERTS_DIR[group.runtime];
    // What this project's agent reads (agent/main.ts): the registry and its CA, the node's runtime and socket,
    // where to write the runtime's registry settings, its probes, and on containerd the peer server.
    const peers = group.runtime === "containerd";
    const args = [
      `--registry=${ctx.registryHost}`,
      `--registry-ca=${REGISTRY_CA}`,
      `--runtime=${group.runtime}`,
      `--runtime-socket=${group.socketPath}`,
      `--hosts-dir=${certs}`,
      `--http-listen=0.0.0.0:${NODE_AGENT_HTTP_PORT}`,
      ...(peers ? [`--peer-listen=0.0.0.0:${NODE_AGENT_PEER_PORT}`, `--peer-advertise=$(POD_IP):${NODE_AGENT_PEER_PORT}`] : []),
    ];
    const probe = (path: string, failureThreshold: number) =>
      kplus.Probe.fromHttpGet(path, { port: NODE_AGENT_HTTP_PORT, periodSeconds: Duration.seconds(10), failureThreshold });
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
          command: ["orchest-agent"],
          args,
          ports: [
            { name: "http", number: NODE_AGENT_HTTP_PORT },
            ...(peers ? [{ name: "peer", number: NODE_AGENT_PEER_PORT }] : []),
          ],
          envVariables: envVariables(scope, name, env),
          // Root: the runtime's socket and its certs.d folder on the host are root's.
          securityContext: { ...rootContainerSecurity(), user: 0, group: 0 },
          resources: requests(50, 128),
          startup: kplus.Probe.fromHttpGet("/healthz", { port: NODE_AGENT_HTTP_PORT, ...STARTUP_PROBE_TIMING }),
          readiness: probe("/readyz", 3),
          liveness: probe("/healthz", 6),
        },
      ],
    });
    const c = ds.containers[0]!;
    c.mount(
      group.socketPath,
      kplus.Volume.fromHostPath(scope, "socket", "runtime-socket", { path: group.socketPath, type: kplus.HostPathVolumeType.SOCKET }),
    );
    c.mount(certs, kplus.Volume.fromHostPath(scope, "certs", "runtime-certs", { path: certs, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE }));
    mountRegistryCa(ctx, ds, c, REGISTRY_CA.slice(0, REGISTRY_CA.lastIndexOf("/")));
    confineToRuntimeGroup(ctx, ds, COMPONENT, plan, groups);
    return ds;
  }
}
