import type { Session } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { withGitInjection, type GitPodAdditions } from "../git/index.js";
import { DATA_DIR, PIPELINE_FILE, PROJECT_DIR } from "../pipelines/index.js";
import { withPlacement, type Placement } from "../scheduling/index.js";

/** The ORCHEST_* variables of a session's pods (its Jupyter server and environment shells), as Orchest set them. */
export function sessionEnv(session: Session): { name: string; value: string }[] {
  return [
    { name: "ORCHEST_PROJECT_UUID", value: session.spec.project },
    { name: "ORCHEST_PIPELINE_UUID", value: session.spec.pipeline.uuid },
    { name: "ORCHEST_PIPELINE_PATH", value: PIPELINE_FILE },
    { name: "ORCHEST_PROJECT_DIR", value: PROJECT_DIR },
    { name: "ORCHEST_SESSION_UUID", value: session.metadata!.uid! },
    { name: "ORCHEST_SESSION_TYPE", value: "interactive" },
  ];
}

/** The user directory's volume of a session's pods, and where they see it: the project, the pipeline file, the data. */
export function sessionUserdir(session: Session): { volume: Record<string, unknown>; mounts: Record<string, unknown>[] } {
  const projectDir = session.spec.userdir.projectDir.replace(/\/+$/, "");
  return {
    volume: { name: "userdir", persistentVolumeClaim: { claimName: session.spec.userdir.claimName } },
    mounts: [
      { name: "userdir", mountPath: PROJECT_DIR, subPath: projectDir },
      { name: "userdir", mountPath: PIPELINE_FILE, subPath: `${projectDir}/${session.spec.pipeline.path}` },
      { name: "userdir", mountPath: DATA_DIR, subPath: "data" },
    ],
  };
}

/** How long a session pod may take to be ready (its image pull included) before its launch fails: Kubernetes' own default progress deadline. */
export const DEFAULT_LAUNCH_DEADLINE_SECONDS = 600;

/** The name and labels of a session pod's Deployment, Service and pods: `app` names it, `uidLabel` carries its owner's uid. */
export function sessionPodMetadata(app: string, name: string, owner: { metadata?: { namespace?: string; uid?: string } }, uidLabel: string): SessionDeploymentProps["metadata"] {
  return { name, namespace: owner.metadata!.namespace!, labels: { "app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "orchest-api", [uidLabel]: owner.metadata!.uid! } };
}

export interface SessionDeploymentProps {
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  /** The label (in metadata.labels) that tells this Deployment's pods apart: its selector. */
  readonly selectorLabel: string;
  /** The pod's one container, which gets the git additions. */
  readonly container: Record<string, unknown> & { name: string };
  readonly volumes: readonly Record<string, unknown>[];
  readonly git: GitPodAdditions;
  readonly placement: Placement;
  /** Past it without a ready pod, the Deployment says ProgressDeadlineExceeded: the launch failed. */
  readonly launchDeadlineSeconds: number;
  readonly owner: KubeObject;
}

/**
 * One replica of a session's pod, as root (the user directory is root's, as for steps) without a service account
 * token, with the git additions; replaced by stopping the old first (one at a time on the project directory),
 * placed, owned.
 */
export function sessionDeployment(props: SessionDeploymentProps): KubeObject {
  const { metadata, selectorLabel } = props;
  const podSpec = withGitInjection({ automountServiceAccountToken: false, securityContext: { runAsUser: 0 }, containers: [props.container], volumes: [...props.volumes] }, props.container.name, props.git);
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata,
    spec: {
      replicas: 1,
      progressDeadlineSeconds: props.launchDeadlineSeconds,
      strategy: { type: "Recreate" },
      selector: { matchLabels: { [selectorLabel]: metadata.labels[selectorLabel]! } },
      template: { metadata: { labels: metadata.labels }, spec: withPlacement(podSpec, props.placement) },
    },
  };
  return withControllerReference(deployment, props.owner);
}

/** The ClusterIP Service of a session's pod: `port` to the container's `targetPort`. Owned by `owner`. */
export function sessionService(metadata: SessionDeploymentProps["metadata"], selectorLabel: string, port: { name: string; port: number; targetPort: number }, owner: KubeObject): KubeObject {
  const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata, spec: { type: "ClusterIP", selector: { [selectorLabel]: metadata.labels[selectorLabel]! }, ports: [port] } };
  return withControllerReference(service, owner);
}

/** Whether a session's Deployment gave up: no ready pod within its progress deadline. */
export function launchTimedOut(deployment: KubeObject | undefined): boolean {
  const conditions = (deployment?.status as { conditions?: { type: string; status: string; reason?: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded");
}

/** Why a session pod does not run, in the kubelet's words: its container's waiting or last terminated state. */
export function whyNotRunning(pods: readonly KubeObject[]): string {
  type State = { reason?: string; message?: string; exitCode?: number };
  for (const pod of pods) {
    const statuses = (pod.status as { containerStatuses?: { state?: { waiting?: State }; lastState?: { terminated?: State } }[] } | undefined)?.containerStatuses ?? [];
    for (const status of statuses) {
      const said = status.state?.waiting ?? status.lastState?.terminated;
      if (said?.reason) return [said.reason, said.message, said.exitCode !== undefined ? `exit code ${said.exitCode}` : undefined].filter(Boolean).join(": ");
    }
    const unscheduled = (pod.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    if (unscheduled) return `Unschedulable: ${unscheduled.message ?? "no node fits"}`;
  }
  return pods.length === 0 ? "no pod was created" : "the pod never became ready";
}

/** Whether a session's Deployment has its pod ready (its startup probe passed), of this spec. */
export function launched(deployment: KubeObject | undefined): boolean {
  const status = deployment?.status as { observedGeneration?: number; readyReplicas?: number } | undefined;
  return !!status && status.observedGeneration === deployment!.metadata.generation && (status.readyReplicas ?? 0) >= 1;
}
