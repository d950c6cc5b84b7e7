import { createHash } from "node:crypto";
import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { envVariables, mountRegistryCa, objectMeta, requests, rootContainerSecurity, STARTUP_PROBE_TIMING } from "./common.js";
import { type DaemonSetPlan, type SynthContext } from "./context.js";
import { confineToRuntimeGroup, groupLabels, groupObjectName } from "./runtime.js";
import { ANNOTATIONS } from "./labels.js";

const COMPONENT = "buildkit-daemon";
/** Where buildkitd reads its config (a ConfigMap) and the registry's CA (from its TLS Secret). */
const CONFIG_DIR = "/etc/orchest-buildkit";
const REGISTRY_CA_DIR = "/tls-secret";

/** Directory on the host where buildkitd's socket is exposed to builder pods. */
export const BUILDKIT_SOCKET_DIR = "/run/orchest_buildkit";
/** buildkitd's socket as builder pods reach it through a hostPath mount of BUILDKIT_SOCKET_DIR. */
export const BUILDKIT_SOCKET = `${BUILDKIT_SOCKET_DIR}/buildkitd.sock`;

/** Where a node's containerd keeps its run and state directories, and whether it needs the fifo directory too. */
export interface ContainerdHostDirs {
  readonly run: string;
  readonly varLib: string;
  /** k3s and microk8s: their directories are also mounted at their own paths, and /run/containerd/fifo is shared. */
  readonly distributionPaths: boolean;
}

/** containerd's directories on the node, told by its socket path as Orchest's controller tells them. */
export function containerdHostDirs(socketPath: string): ContainerdHostDirs {
  if (socketPath.includes("microk8s")) {
    return { run: "/var/snap/microk8s/common/run/containerd", varLib: "/var/snap/microk8s/common/var/lib/containerd", distributionPaths: true };
  }
  if (socketPath.includes("k3s")) return { run: "/var/run/k3s/containerd", varLib: "/var/lib/rancher/k3s/agent/containerd", distributionPaths: true };
  return { run: "/run/containerd", varLib: "/var/lib/containerd", distributionPaths: false };
}

/** Props of `BuildkitDaemon`. */
export interface BuildkitDaemonProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
}

/**
 * buildkit-daemon (wave 7): a privileged buildkitd on every containerd node
 * (none on docker nodes, where builds use the docker socket). buildkitd uses
 * the node's containerd as its worker and listens on
 * `/run/orchest_buildkit/buildkitd.sock`, a hostPath directory, so that
 * builder pods pick the socket up by mounting the same host directory (as in
 * Orchest). Its state lives in `/var/lib/orchest_buildkit` on the host, with
 * bidirectional mount propagation.
 *
 * containerd's run and state directories are mounted at /run/containerd and
 * /var/lib/containerd; on k3s and microk8s (told by the socket path) they are
 * their distribution's directories, also mounted at their own paths, with
 * /run/containerd/fifo shared, as in Orchest.
 *
 * One DaemonSet per group of containerd nodes sharing a socket path; in mixed
 * clusters each is confined to its nodes by node affinity.
 */
export class BuildkitDaemon extends Construct {
  public readonly daemonSets: kplus.DaemonSet[] = [];
  /**
   * buildkitd.toml: trust of the in-cluster registry (its CA), for builds whose base image is there, and the
   * registries the cluster reaches over plain HTTP.
   */
  public readonly config?: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: BuildkitDaemonProps) {
    super(scope, id);
    const ctx = props.context;
    const plans = ctx.daemonSets[COMPONENT];
    if (plans.length === 0) return;
    this.config = new kplus.ConfigMap(this, "config", {
      metadata: objectMeta(ctx, COMPONENT, `${COMPONENT}-config`),
      data: { "buildkitd.toml": buildkitdConfig(ctx) },
    });
    for (const plan of plans) this.daemonSets.push(this.daemonSet(ctx, plan, plans, this.config));
  }

  private daemonSet(ctx: SynthContext, plan: DaemonSetPlan, plans: readonly DaemonSetPlan[], config: kplus.ConfigMap): kplus.DaemonSet {
    const group = plan.group;
    const groups = plans.map((p) => p.group);
    const scope = new Construct(this, group.suffix);
    const name = groupObjectName(COMPONENT, group, groups.length);
    const workers = ["buildctl", "--addr", `unix://${BUILDKIT_SOCKET}`, "debug", "workers"];
    // No initial delay: the startup probe waits for buildkitd, and a delayed readiness check would skip the run
    // the kubelet makes the moment startup succeeds.
    const probe = (failureThreshold: number): kplus.Probe => kplus.Probe.fromCommand(workers, { periodSeconds: Duration.seconds(30), failureThreshold });
    const ds = new kplus.DaemonSet(scope, "daemonset", {
      metadata: objectMeta(ctx, COMPONENT, name, { labels: groupLabels(group) }),
      select: false,
      securityContext: { ensureNonRoot: false },
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(30),
      containers: [
        {
          name: COMPONENT,
          image: plan.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [
            `--addr=unix://${BUILDKIT_SOCKET}`,
            "--root=/var/lib/orchest_buildkit",
            "--oci-worker=false",
            "--containerd-worker=true",
            `--containerd-worker-addr=${group.socketPath}`,
            "--containerd-worker-namespace=k8s.io",
            `--config=${CONFIG_DIR}/buildkitd.toml`,
          ],
          envVariables: envVariables(scope, name, plan.env),
          securityContext: rootContainerSecurity(true),
          resources: requests(100, 256),
          startup: kplus.Probe.fromCommand(workers, STARTUP_PROBE_TIMING),
          readiness: probe(3),
          liveness: probe(3),
        },
      ],
    });
    const c = ds.containers[0]!;
    const host = (vid: string, vname: string, path: string, type: kplus.HostPathVolumeType): kplus.Volume =>
      kplus.Volume.fromHostPath(scope, vid, vname, { path, type });
    c.mount(group.socketPath, host("socket", "containerd-socket", group.socketPath, kplus.HostPathVolumeType.SOCKET));
    const dirs = containerdHostDirs(group.socketPath);
    const run = host("run-containerd", "run-containerd", dirs.run, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE);
    const varLib = host("var-lib-containerd", "var-lib-containerd", dirs.varLib, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE);
    c.mount("/run/containerd", run);
    c.mount("/var/lib/containerd", varLib);
    c.mount(BUILDKIT_SOCKET_DIR, host("buildkit-socket", "run-orchest-buildkit", BUILDKIT_SOCKET_DIR, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
    c.mount(
      "/var/lib/orchest_buildkit",
      host("buildkit-storage", "orchest-buildkit-storage", "/var/lib/orchest_buildkit", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE),
      { propagation: kplus.MountPropagation.BIDIRECTIONAL },
    );
    // buildkitd binds its own sockets from /run/buildkit into RUN containers, which the node's runc creates.
    c.mount("/run/buildkit", host("run-buildkit", "run-buildkit", "/run/buildkit", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
    c.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(scope, "config", config, { name: "buildkitd-config" }), { readOnly: true });
    // buildkitd reads its config once: a new one rolls it.
    ds.podMetadata.addAnnotation(ANNOTATIONS.configDigest, createHash("sha256").update(buildkitdConfig(ctx)).digest("hex"));
    mountRegistryCa(ctx, ds, c, REGISTRY_CA_DIR);
    if (dirs.distributionPaths) {
      c.mount("/run/containerd/fifo", host("fifo", "run-containerd-fifo", "/run/containerd/fifo", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
      c.mount(dirs.run, run);
      c.mount(dirs.varLib, varLib);
    }
    confineToRuntimeGroup(ctx, ds, COMPONENT, plan, groups);
    return ds;
  }
}

function buildkitdConfig(ctx: SynthContext): string {
  const registries = [`[registry."${ctx.registryHost}"]\n  ca = ["${REGISTRY_CA_DIR}/ca.crt"]\n`];
  for (const host of ctx.plainHttpRegistries) registries.push(`[registry."${host}"]\n  http = true\n`);
  return registries.join("");
}
