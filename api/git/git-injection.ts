import type { EnvVar } from "../pipelines/step-env.js";
import { gitConfigEnv, type GitIdentity } from "./git-config-env.js";

/**
 * Who gets what: the Jupyter server and git imports get the keys and the identity; environment shells get
 * the identity only and reach the keys through the agent forwarded from the Jupyter server.
 */
export type GitConsumer = "jupyter-server" | "git-import" | "environment-shell";

/** An auth user's git settings, as stored in the cluster. */
export interface GitSettings {
  readonly identity: GitIdentity;
  /** Names of the user's Secrets of type kubernetes.io/ssh-auth, in a stable order. */
  readonly sshKeySecrets: readonly string[];
}

/** What a pod gets: env for the container, and volumes with their mounts. */
export interface GitPodAdditions {
  readonly env: EnvVar[];
  readonly volumes: Record<string, unknown>[];
  readonly volumeMounts: Record<string, unknown>[];
}

export const SSH_KEYS_DIR = "/etc/orchest/ssh/keys";
export const KNOWN_HOSTS_DIR = "/etc/orchest/ssh/known-hosts";
/** The ConfigMap (key `known_hosts`) of the hosts git may reach over SSH. */
export const KNOWN_HOSTS_CONFIG_MAP = "orchest-known-hosts";

/**
 * The git additions of a pod. Key files are named by position (key-0, key-1, …), so the SSH command git
 * runs (core.sshCommand goes through a shell) is made of constants only, never of a user's value.
 */
export function gitInjection(consumer: GitConsumer, settings: GitSettings): GitPodAdditions {
  const withKeys = consumer !== "environment-shell" && settings.sshKeySecrets.length > 0;
  const keyFiles = withKeys ? settings.sshKeySecrets.map((_, i) => `${SSH_KEYS_DIR}/key-${i}`) : [];
  const sshCommand = [
    "ssh", "-F", "/dev/null",
    "-o", `UserKnownHostsFile=${KNOWN_HOSTS_DIR}/known_hosts`, "-o", "StrictHostKeyChecking=yes",
    ...(withKeys ? ["-o", "IdentitiesOnly=yes", ...keyFiles.flatMap((file) => ["-i", file])] : []),
  ].join(" ");
  // Optional: without it ssh refuses every host and says so, while a pod that needed it would never start (an
  // https clone needs none at all).
  const volumes: Record<string, unknown>[] = [
    { name: "git-known-hosts", configMap: { name: KNOWN_HOSTS_CONFIG_MAP, items: [{ key: "known_hosts", path: "known_hosts" }], defaultMode: 0o444, optional: true } },
  ];
  const volumeMounts: Record<string, unknown>[] = [{ name: "git-known-hosts", mountPath: KNOWN_HOSTS_DIR, readOnly: true }];
  if (withKeys) {
    volumes.push({
      name: "git-ssh-keys",
      projected: {
        defaultMode: 0o400,
        sources: settings.sshKeySecrets.map((secret, i) => ({ secret: { name: secret, items: [{ key: "ssh-privatekey", path: `key-${i}` }] } })),
      },
    });
    volumeMounts.push({ name: "git-ssh-keys", mountPath: SSH_KEYS_DIR, readOnly: true });
  }
  return { env: gitConfigEnv(settings.identity, [["core.sshCommand", sshCommand]]), volumes, volumeMounts };
}

/** A copy of a pod spec whose container `container` gets the additions (after its own env, so ours win). */
export function withGitInjection(podSpec: Record<string, unknown>, container: string, additions: GitPodAdditions): Record<string, unknown> {
  const containers = (podSpec.containers as Record<string, unknown>[]).map((c) => {
    if (c.name !== container) return c;
    const ours = new Set(additions.env.map((e) => e.name));
    const env = ((c.env as EnvVar[] | undefined) ?? []).filter((e) => !ours.has(e.name));
    return { ...c, env: [...env, ...additions.env], volumeMounts: [...((c.volumeMounts as object[] | undefined) ?? []), ...additions.volumeMounts] };
  });
  return { ...podSpec, containers, volumes: [...((podSpec.volumes as object[] | undefined) ?? []), ...additions.volumes] };
}
