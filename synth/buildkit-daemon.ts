import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import { envVariables, objectMeta, requests, rootContainerSecurity } from "./common.js";
import { componentEnv, componentImage, type RuntimeGroup, type SynthContext } from "./context.js";
import { confineToRuntimeGroup, groupLabels, groupObjectName } from "./runtime.js";

const COMPONENT = "buildkit-daemon";

/** Directory on the host where buildkitd's socket is exposed to builder pods. */
export const BUILDKIT_SOCKET_DIR = "/run/orchest_buildkit";
/** buildkitd's socket as builder pods reach it through a hostPath mount of BUILDKIT_SOCKET_DIR. */
export const BUILDKIT_SOCKET = `${BUILDKIT_SOCKET_DIR}/buildkitd.sock`;

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
 * One DaemonSet per group of containerd nodes sharing a socket path; in mixed
 * clusters each is confined to its nodes by node affinity.
 */
export class BuildkitDaemon extends Construct {
  public readonly daemonSets: kplus.DaemonSet[] = [];

  constructor(scope: Construct, id: string, props: BuildkitDaemonProps) {
    super(scope, id);
    const ctx = props.context;
    const groups = ctx.runtimes.groups.filter((g) => g.runtime === "containerd");
    for (const group of groups) this.daemonSets.push(this.daemonSet(ctx, group, groups));
  }

  private daemonSet(ctx: SynthContext, group: RuntimeGroup, groups: readonly RuntimeGroup[]): kplus.DaemonSet {
    const scope = new Construct(this, group.suffix);
    const name = groupObjectName(COMPONENT, group, groups.length);
    const probe = (failureThreshold: number): kplus.Probe =>
      kplus.Probe.fromCommand(["buildctl", "--addr", `unix://${BUILDKIT_SOCKET}`, "debug", "workers"], {
        initialDelaySeconds: Duration.seconds(5),
        periodSeconds: Duration.seconds(30),
        failureThreshold,
      });
    const env = componentEnv(ctx, COMPONENT, [], [
      { name: "CONTAINER_RUNTIME", value: group.runtime },
      { name: "CONTAINER_RUNTIME_SOCKET", value: group.socketPath },
    ]);
    const ds = new kplus.DaemonSet(scope, "daemonset", {
      metadata: objectMeta(ctx, COMPONENT, name, { labels: groupLabels(group) }),
      select: false,
      securityContext: { ensureNonRoot: false },
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(30),
      containers: [
        {
          name: COMPONENT,
          image: componentImage(ctx, COMPONENT),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [
            `--addr=unix://${BUILDKIT_SOCKET}`,
            "--root=/var/lib/orchest_buildkit",
            "--oci-worker=false",
            "--containerd-worker=true",
            `--containerd-worker-addr=${group.socketPath}`,
            "--containerd-worker-namespace=k8s.io",
          ],
          envVariables: envVariables(scope, name, env),
          securityContext: rootContainerSecurity(true),
          resources: requests(100, 256),
          readiness: probe(3),
          liveness: probe(3),
        },
      ],
    });
    const c = ds.containers[0]!;
    const host = (vid: string, vname: string, path: string, type: kplus.HostPathVolumeType): kplus.Volume =>
      kplus.Volume.fromHostPath(scope, vid, vname, { path, type });
    c.mount(group.socketPath, host("socket", "containerd-socket", group.socketPath, kplus.HostPathVolumeType.SOCKET));
    c.mount("/run/containerd", host("run-containerd", "run-containerd", "/run/containerd", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
    c.mount("/var/lib/containerd", host("var-lib-containerd", "var-lib-containerd", "/var/lib/containerd", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
    c.mount(BUILDKIT_SOCKET_DIR, host("buildkit-socket", "run-orchest-buildkit", BUILDKIT_SOCKET_DIR, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE));
    c.mount(
      "/var/lib/orchest_buildkit",
      host("buildkit-storage", "orchest-buildkit-storage", "/var/lib/orchest_buildkit", kplus.HostPathVolumeType.DIRECTORY_OR_CREATE),
      { propagation: kplus.MountPropagation.BIDIRECTIONAL },
    );
    confineToRuntimeGroup(ctx, ds, COMPONENT, group, groups);
    return ds;
  }
}
