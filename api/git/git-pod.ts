import type { EventRecorder, KubeClient, KubeObject, Logger } from "../../reconcilers/index.js";
import { gitInjection, withGitInjection, type GitConsumer } from "./git-injection.js";
import { loadGitSettings } from "./git-settings.js";

export interface GitPodRequest {
  readonly consumer: GitConsumer;
  /** UUID of the auth user who asked for the session or import; none: no git config and no keys. */
  readonly user?: string;
  readonly pod: KubeObject;
  /** The container that runs git. */
  readonly container: string;
}

/**
 * Creates a pod with its auth user's git settings. Logs and the Event say what was injected by count and
 * Secret name only: key material never passes through this process's logs, Events or statuses.
 */
export async function createGitPod(client: KubeClient, events: EventRecorder, logger: Logger, request: GitPodRequest): Promise<KubeObject> {
  const namespace = request.pod.metadata.namespace!;
  const settings = request.user === undefined ? { identity: {}, sshKeySecrets: [] } : await loadGitSettings(client, namespace, request.user);
  const additions = gitInjection(request.consumer, settings);
  const keys = request.consumer === "environment-shell" ? 0 : settings.sshKeySecrets.length;
  const pod = await client.create({ ...request.pod, spec: withGitInjection(request.pod.spec as Record<string, unknown>, request.container, additions) });
  const identity = [settings.identity.name !== undefined && "name", settings.identity.email !== undefined && "email"].filter(Boolean).join(" and ") || "no identity";
  logger.debug("git settings injected", { pod: pod.metadata.name, consumer: request.consumer, user: request.user, sshKeys: keys, identity });
  await events.record(pod, "Normal", "GitConfigured", "InjectGitSettings", `${request.consumer}: git ${identity}, ${keys} SSH key(s) mounted read-only`);
  return pod;
}
