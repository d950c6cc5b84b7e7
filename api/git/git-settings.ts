import type { AuthUser } from "../../crds/types/index.js";
import type { KubeClient } from "../../reconcilers/index.js";
import { AUTH_USER } from "../auth-users/index.js";
import type { GitSettings } from "./git-injection.js";

/**
 * An auth user's settings, from its AuthUser: the git config, and the key Secrets by name only (the kubelet
 * mounts their data; this process never reads a key). A user without an AuthUser has none.
 */
export async function loadGitSettings(client: KubeClient, namespace: string, user: string): Promise<GitSettings> {
  const resource = (await client.get({ ...AUTH_USER, namespace, name: user })) as unknown as AuthUser | undefined;
  const config = resource?.spec.gitConfig;
  return {
    identity: config ? { name: config.name, email: config.email } : {},
    sshKeySecrets: (resource?.spec.sshKeys ?? []).map((key) => key.secretName),
  };
}
