import type { ImageBuildSpec } from "../../crds/types/index.js";
import { SOCKET_ANNOTATION, runtimeOf } from "../../operator/facts.js";
import type { KubeObject } from "../../reconcilers/index.js";
import { BUILDKIT_SOCKET_DIR } from "../../synth/buildkit-daemon.js";
import { DEFAULT_SOCKETS, type ContainerRuntime } from "../../synth/index.js";
import { isReady, matchesLabels } from "../scheduling/index.js";

/**
 * Where a builder pod may run and which host socket it mounts. The runtime is chosen before the pod is
 * created, and the pod is confined by node affinity to the nodes of that runtime (and socket path), rather
 * than one pod for both runtimes that detects the socket at start: so that the pod mounts only a socket that
 * exists (hostPath type Socket/Directory makes the kubelet refuse a node without it, instead of creating an
 * empty directory on the host), its image carries one CLI, and its command is a fixed script with no
 * detection in it.
 */
export interface BuildTarget {
  readonly runtime: ContainerRuntime;
  /** docker: the docker socket; containerd: the directory where buildkit-daemon exposes buildkitd.sock. */
  readonly hostPath: string;
  readonly nodes: readonly string[];
}

/**
 * The target of a build among the Ready nodes that match spec.nodeName, spec.nodeSelector and spec.runtime:
 * the largest group of nodes sharing a runtime and socket path (more nodes, more room for the scheduler);
 * on a tie containerd, then the lower socket path, so that the choice is stable. A string says why there is none.
 */
export function buildTarget(spec: Pick<ImageBuildSpec, "nodeName" | "nodeSelector" | "runtime">, nodes: readonly KubeObject[]): BuildTarget | string {
  const groups = new Map<string, { runtime: ContainerRuntime; hostPath: string; nodes: string[] }>();
  for (const node of nodes) {
    const runtime = runtimeOf(node);
    const name = node.metadata.name!;
    if (!runtime || !isReady(node) || !matchesLabels(node, spec.nodeSelector ?? {})) continue;
    if ((spec.nodeName && spec.nodeName !== name) || (spec.runtime && spec.runtime !== runtime)) continue;
    // Every containerd node exposes buildkitd at the same host path, whatever its containerd socket.
    const hostPath = runtime === "containerd" ? BUILDKIT_SOCKET_DIR : (node.metadata.annotations?.[SOCKET_ANNOTATION] ?? DEFAULT_SOCKETS.docker);
    const key = `${runtime}\u0000${hostPath}`;
    const group = groups.get(key) ?? { runtime, hostPath, nodes: [] };
    group.nodes.push(name);
    groups.set(key, group);
  }
  const ranked = [...groups.values()].sort(
    (a, b) => b.nodes.length - a.nodes.length || (a.runtime === b.runtime ? a.hostPath.localeCompare(b.hostPath) : a.runtime === "containerd" ? -1 : 1),
  );
  const best = ranked[0];
  if (!best) {
    const wanted = [
      spec.nodeName && `named ${spec.nodeName}`,
      spec.runtime && `running ${spec.runtime}`,
      spec.nodeSelector && `labelled ${Object.entries(spec.nodeSelector).map(([k, v]) => `${k}=${v}`).join(",")}`,
    ].filter(Boolean);
    return `no Ready node with a docker or containerd runtime${wanted.length ? ` ${wanted.join(", ")}` : ""}`;
  }
  return { runtime: best.runtime, hostPath: best.hostPath, nodes: best.nodes.sort() };
}
