import type { Session, SessionStatus } from "../../crds/types/index.js";
import {
  addFinalizer,
  byLabel,
  hasFinalizer,
  objectKey,
  removeFinalizer,
  toControllerOwner,
  updateStatus,
  type Controller,
  type GroupVersionKind,
  type KubeObject,
  type Manager,
  type Reconciler,
} from "../../reconcilers/index.js";
import { recordIfCurrent } from "../events/index.js";
import { gitAdditionsFor } from "../git/index.js";
import { ImagePlacer } from "../scheduling/index.js";
import { DEFAULT_JUPYTER_IMAGE, jupyterServerDeployment, jupyterServerIngress, jupyterServerService, SESSION_UID_LABEL, serverUrl, type SessionIngress } from "./jupyter-server.js";
import { DEFAULT_LAUNCH_DEADLINE_SECONDS, launched, launchTimedOut, whyNotRunning } from "./session-pod.js";
import { sessionTransitions, type SessionTransitionSink } from "./session-event.js";
import { shellKeysSecret } from "./shell-keys.js";

export const SESSION: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "Session" };
/** Holds a deleted Session until its stop is recorded. */
export const SESSION_EVENTS_FINALIZER = "orchest.io/session-events";

export interface SessionControllerOptions {
  /** Watch sessions (and their servers) of this namespace only, as the api does; all namespaces when unset. */
  readonly namespace?: string;
  /** The Jupyter server's image of sessions that name none. @default this project's release's jupyter-server */
  readonly jupyterImage?: string;
  /**
   * How long a server may take to answer (pulling its image included) before the session fails: its Deployment's
   * progressDeadlineSeconds. @default 600, Kubernetes' default
   */
  readonly launchDeadlineSeconds?: number;
  /** Give each server Orchest's Ingress. @default none: reached inside the cluster only */
  readonly ingress?: SessionIngress;
  /**
   * Called for every transition before the status that shows it is written (stopped: before the Session may
   * go), so that none is lost; may be called again for the same one.
   */
  readonly onTransition?: SessionTransitionSink;
}

/**
 * Runs Sessions: each a Jupyter server (Deployment, Service and, if asked, Ingress, owned by the Session) with the auth user's git
 * settings and the keys of the session's environment shells (a Secret owned by the Session), placed where its image
 * is, as interactive pods are; Launching until the server answers, then Running.
 * A deleted server or Service is made again; deleting the Session collects both.
 */
export function addSessionController(manager: Manager, options: SessionControllerOptions = {}): Controller {
  const { client, informers } = manager;
  const events = manager.eventRecorder("orchest-api");
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const sessions = informers.informerFor(SESSION, scope);
  const deployments = informers.informerFor({ apiVersion: "apps/v1", kind: "Deployment" }, { ...scope, labelSelector: SESSION_UID_LABEL });
  const services = informers.informerFor({ apiVersion: "v1", kind: "Service" }, { ...scope, labelSelector: SESSION_UID_LABEL });
  const ingresses = options.ingress && informers.informerFor({ apiVersion: "networking.k8s.io/v1", kind: "Ingress" }, { ...scope, labelSelector: SESSION_UID_LABEL });
  for (const informer of [deployments, services, ingresses]) informer?.addIndexer(SESSION_UID_LABEL, byLabel(SESSION_UID_LABEL));
  const placer = new ImagePlacer(informers, options.namespace);
  const onTransition = options.onTransition ?? (async () => undefined);
  const deadline = options.launchDeadlineSeconds ?? DEFAULT_LAUNCH_DEADLINE_SECONDS;

  const reconcile: Reconciler = async (request) => {
    const session = sessions.get(objectKey(request)) as unknown as Session | undefined;
    if (!session) return;
    const obj = session as unknown as KubeObject;
    const previous: SessionStatus = session.status ?? {};
    if (session.metadata?.deletionTimestamp) {
      if (!hasFinalizer(obj, SESSION_EVENTS_FINALIZER)) return;
      // A session whose start was never recorded did not start, so it does not stop either.
      await recordIfCurrent(client, obj, previous.phase ? (["stopped"] as const) : [], (transition) => onTransition(session, transition));
      await removeFinalizer(client, obj, SESSION_EVENTS_FINALIZER);
      return;
    }
    // The finalizer first: the update brings the session back, and from then on its stop cannot be missed.
    if (!hasFinalizer(obj, SESSION_EVENTS_FINALIZER)) return void (await addFinalizer(client, obj, SESSION_EVENTS_FINALIZER));
    if (previous.phase === "Failed") return;

    const uid = session.metadata!.uid!;
    const deployment = deployments.byIndex(SESSION_UID_LABEL, uid)[0];
    if (!deployment) {
      const image = session.spec.image ?? options.jupyterImage ?? DEFAULT_JUPYTER_IMAGE;
      // Placement reads caches this controller does not watch: they must hold the cluster before the server is placed.
      await placer.waitForSync();
      const placement = placer.place(image, "interactive", session.metadata!.namespace!);
      if (placement.unconstrained) await events.record(obj, "Warning", "ImageNotOnAnyNode", "Schedule", `jupyter server: ${placement.unconstrained}`);
      const git = await gitAdditionsFor(client, session.metadata!.namespace!, "jupyter-server", session.spec.authUser);
      // Before the server that mounts it; one pair per session, kept when a later reconcile finds it there.
      await client.createIfAbsent(shellKeysSecret(session));
      await client.createIfAbsent(jupyterServerDeployment(session, image, placement, git.additions, deadline));
      await events.record(obj, "Normal", "GitConfigured", "InjectGitSettings", git.summary);
    }
    if (!services.byIndex(SESSION_UID_LABEL, uid)[0]) await client.createIfAbsent(jupyterServerService(session));
    if (options.ingress && !ingresses!.byIndex(SESSION_UID_LABEL, uid)[0]) await client.createIfAbsent(jupyterServerIngress(session, options.ingress));

    const ready = launched(deployment);
    const failed = !ready && launchTimedOut(deployment);
    const status: SessionStatus = {
      observedGeneration: session.metadata?.generation,
      phase: ready ? "Running" : failed ? "Failed" : "Launching",
      url: serverUrl(session),
      ...(previous.startTime || ready ? { startTime: previous.startTime ?? new Date().toISOString() } : {}),
      // Read once, when it fails: the reason is in the pod, which this controller does not cache.
      ...(failed ? { message: whyNotRunning((await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: session.metadata!.namespace!, labelSelector: `${SESSION_UID_LABEL}=${uid}` })).items), completionTime: new Date().toISOString() } : {}),
    };
    await recordIfCurrent(client, obj, sessionTransitions(previous, status), (transition) => onTransition({ ...session, status }, transition));
    await updateStatus(client, obj, { ...status });
    if (status.phase !== previous.phase && status.phase === "Running") await events.record(obj, "Normal", "Running", "Launch", `the Jupyter server answers at ${status.url}`);
    if (status.phase !== previous.phase && status.phase === "Failed") await events.record(obj, "Warning", "LaunchFailed", "Launch", `the Jupyter server did not answer within ${deadline} s: ${status.message}`);
  };

  const controller = manager.addController({ name: "session", reconciler: reconcile });
  controller.watch(sessions);
  controller.watch(deployments, { map: toControllerOwner(SESSION) });
  controller.watch(services, { map: toControllerOwner(SESSION) });
  if (ingresses) controller.watch(ingresses, { map: toControllerOwner(SESSION) });
  return controller;
}
