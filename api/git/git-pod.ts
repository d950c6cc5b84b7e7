import type { EventRecorder, KubeClient, KubeObject, Logger } from "../../reconcilers/index.js";
import { gitInjection, withGitInjection, type GitConsumer, type GitPodAdditions } from "./git-injection.js";
import { loadGitSettings } from "./git-settings.js";

export interface GitPodRequest {
  readonly consumer: GitConsumer;
  /** UUID of the auth user who asked for the session or import; none: no git config and no keys. */
  readonly user?: string;
  readonly pod: KubeObject;
  /** The container that runs git. */
  readonly container: string;
}

/** A pod's git additions, and what they are in words: counts and names only, never key material. */
export interface GitAdditionsFor {
  readonly additions: GitPodAdditions;
  readonly summary: string;
}

/** The git additions of a pod of `consumer` for `user` (none without one), from the user's AuthUser. */
export async function gitAdditionsFor(client: KubeClient, namespace: string, consumer: GitConsumer, user: string | undefined): Promise<GitAdditionsFor> {
  const settings = user === undefined ? { identity: {}, sshKeySecrets: [] } : await loadGitSettings(client, namespace, user);
  const keys = consumer === "environment-shell" ? 0 : settings.sshKeySecrets.length;
  const identity = [settings.identity.name !== undefined && "name", settings.identity.email !== undefined && "email"].filter(Boolean).join(" and ") || "no identity";
  return { additions: gitInjection(consumer, settings), summary: `${consumer}: git ${identity}, ${keys} SSH key(s) mounted read-only` };
}

/**
 * Creates a pod with its auth user's git settings. Logs and the Event say what was injected by count and
 * Secret name only: key material never passes through this process's logs, Events or statuses.
 */
export async function createGitPod(client: KubeClient, events: EventRecorder, logger: Logger, request: GitPodRequest): Promise<KubeObject> {
  const { additions, summary } = await gitAdditionsFor(client, request.pod.metadata.namespace!, request.consumer, request.user);
  const pod = await client.create({ ...request.pod, spec: withGitInjection(request.pod.spec as Record<string, unknown>, request.container, additions) });
  logger.debug("git settings injected", { pod: pod.metadata.name, user: request.user, summary });
  await events.record(pod, "Normal", "GitConfigured", "InjectGitSettings", summary);
  return pod;
}
