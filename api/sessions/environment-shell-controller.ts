import type { EnvironmentShell, EnvironmentShellStatus, Session } from "../../crds/types/index.js";
import { byLabel, objectKey, toControllerOwner, updateStatus, type Controller, type GroupVersionKind, type KubeObject, type Manager, type Reconciler } from "../../reconcilers/index.js";
import { gitAdditionsFor } from "../git/index.js";
import { ImagePlacer } from "../scheduling/index.js";
import { ENVIRONMENT_SHELL_UID_LABEL, environmentShellDeployment, environmentShellService } from "./environment-shell.js";
import { DEFAULT_LAUNCH_DEADLINE_SECONDS, launched, launchTimedOut, whyNotRunning } from "./session-pod.js";
import { SESSION } from "./session-controller.js";

export const ENVIRONMENT_SHELL: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "EnvironmentShell" };
const SESSION_NAME_INDEX = "spec.session";

export interface EnvironmentShellControllerOptions {
  /** Watch shells (and their sessions and sshd's) of this namespace only, as the api does; all namespaces when unset. */
  readonly namespace?: string;
  /** How long a shell's sshd may take to be ready (its image pull included) before the shell fails. @default 600 */
  readonly launchDeadlineSeconds?: number;
}

/**
 * Runs EnvironmentShells: once its Session is Running, each gets its sshd (Deployment and Service, owned by the
 * shell) with the session's auth user's git identity, placed as interactive pods are; Running with the pod's IP
 * as host once sshd accepts connections. The shell itself is made a dependent of its Session, so that deleting the
 * Session collects its shells and their sshd's.
 */
export function addEnvironmentShellController(manager: Manager, options: EnvironmentShellControllerOptions = {}): Controller {
  const { client, informers } = manager;
  const events = manager.eventRecorder("orchest-api");
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const shells = informers.informerFor(ENVIRONMENT_SHELL, scope);
  const sessions = informers.informerFor(SESSION, scope);
  const deployments = informers.informerFor({ apiVersion: "apps/v1", kind: "Deployment" }, { ...scope, labelSelector: ENVIRONMENT_SHELL_UID_LABEL });
  const services = informers.informerFor({ apiVersion: "v1", kind: "Service" }, { ...scope, labelSelector: ENVIRONMENT_SHELL_UID_LABEL });
  for (const informer of [deployments, services]) informer.addIndexer(ENVIRONMENT_SHELL_UID_LABEL, byLabel(ENVIRONMENT_SHELL_UID_LABEL));
  shells.addIndexer(SESSION_NAME_INDEX, (obj) => [`${obj.metadata.namespace}/${(obj as unknown as EnvironmentShell).spec.session}`]);
  const placer = new ImagePlacer(informers, options.namespace);
  const deadline = options.launchDeadlineSeconds ?? DEFAULT_LAUNCH_DEADLINE_SECONDS;

  const reconcile: Reconciler = async (request) => {
    const shell = shells.get(objectKey(request)) as unknown as EnvironmentShell | undefined;
    if (!shell || shell.metadata?.deletionTimestamp) return;
    const obj = shell as unknown as KubeObject;
    const previous: EnvironmentShellStatus = shell.status ?? {};
    if (previous.phase === "Failed") return;
    const namespace = shell.metadata!.namespace!;
    const write = (status: EnvironmentShellStatus) => updateStatus(client, obj, { observedGeneration: shell.metadata?.generation, ...status });

    const session = sessions.get(`${namespace}/${shell.spec.session}`) as unknown as Session | undefined;
    if (!session) return void (await write({ phase: "Pending", message: `Session ${shell.spec.session} does not exist` }));
    if (session.metadata?.deletionTimestamp) return void (await write({ phase: "Pending", message: `Session ${shell.spec.session} is being deleted, and its shells with it` }));
    const sessionUid = session.metadata!.uid!;
    if (!shell.metadata!.ownerReferences?.some((ref) => ref.uid === sessionUid)) {
      // A plain owner, not the controller: the garbage collector deletes the shell with its Session. The
      // resourceVersion makes the patch fail on a shell changed since it was read; the update brings it back.
      const owner = { apiVersion: SESSION.apiVersion, kind: SESSION.kind, name: session.metadata!.name!, uid: sessionUid };
      await client.patch(
        { ...ENVIRONMENT_SHELL, namespace, name: shell.metadata!.name! },
        { metadata: { resourceVersion: shell.metadata!.resourceVersion, ownerReferences: [...(shell.metadata!.ownerReferences ?? []), owner] } },
        "merge",
      );
      return;
    }
    if (session.status?.phase !== "Running") return void (await write({ phase: "Pending", message: `waiting for Session ${shell.spec.session} to be Running` }));

    const uid = shell.metadata!.uid!;
    const deployment = deployments.byIndex(ENVIRONMENT_SHELL_UID_LABEL, uid)[0];
    if (!deployment) {
      await placer.waitForSync();
      const placement = placer.place(shell.spec.image, "interactive", namespace);
      if (placement.unconstrained) await events.record(obj, "Warning", "ImageNotOnAnyNode", "Schedule", `environment shell: ${placement.unconstrained}`);
      const git = await gitAdditionsFor(client, namespace, "environment-shell", session.spec.authUser);
      await client.createIfAbsent(environmentShellDeployment(shell, session, placement, git.additions, deadline));
      await events.record(obj, "Normal", "GitConfigured", "InjectGitSettings", git.summary);
    }
    if (!services.byIndex(ENVIRONMENT_SHELL_UID_LABEL, uid)[0]) await client.createIfAbsent(environmentShellService(shell));

    // The pods are not cached: read when the Deployment says one is ready (for its IP) or when it gave up (for why).
    const ready = launched(deployment);
    const failed = !ready && launchTimedOut(deployment);
    const pods = ready || failed ? (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace, labelSelector: `${ENVIRONMENT_SHELL_UID_LABEL}=${uid}` })).items : [];
    const host = ready ? readyPodIp(pods) : undefined;
    const status: EnvironmentShellStatus = host
      ? { phase: "Running", host }
      : failed
        ? { phase: "Failed", message: whyNotRunning(pods) }
        : { phase: "Pending", message: "sshd does not accept connections yet" };
    await write(status);
    if (status.phase !== previous.phase && status.phase === "Running") await events.record(obj, "Normal", "Running", "Launch", `sshd accepts connections at ${host}`);
    if (status.phase !== previous.phase && status.phase === "Failed") await events.record(obj, "Warning", "LaunchFailed", "Launch", `sshd was not ready within ${deadline} s: ${status.message}`);
  };

  const controller = manager.addController({ name: "environment-shell", reconciler: reconcile });
  controller.watch(shells);
  controller.watch(sessions, { map: (session) => shells.byIndex(SESSION_NAME_INDEX, `${session.metadata.namespace}/${session.metadata.name}`).map((s) => ({ namespace: s.metadata.namespace, name: s.metadata.name! })) });
  controller.watch(deployments, { map: toControllerOwner(ENVIRONMENT_SHELL) });
  controller.watch(services, { map: toControllerOwner(ENVIRONMENT_SHELL) });
  return controller;
}

/** The IP of the ready pod, not being deleted (a replaced pod's IP would lead to no shell). */
function readyPodIp(pods: readonly KubeObject[]): string | undefined {
  type PodStatus = { podIP?: string; conditions?: { type: string; status: string }[] };
  const pod = pods.find((p) => !p.metadata.deletionTimestamp && (p.status as PodStatus | undefined)?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  return (pod?.status as PodStatus | undefined)?.podIP;
}
