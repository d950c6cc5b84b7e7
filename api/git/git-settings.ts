import type { KubeClient, KubeObject } from "../../reconcilers/index.js";
import type { GitIdentity } from "./git-config-env.js";
import type { GitSettings } from "./git-injection.js";

/** Label on an auth user's git ConfigMap and SSH key Secrets: the user's UUID. */
export const AUTH_USER_LABEL = "orchest.io/auth-user";
const COMPONENT_LABEL = "orchest.io/git-settings";

/** The ConfigMap holding an auth user's git name and email (keys `name`, `email`). */
export function gitIdentityConfigMap(namespace: string, user: string, identity: GitIdentity): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `git-config-${user}`, namespace, labels: { [AUTH_USER_LABEL]: user, [COMPONENT_LABEL]: "identity" } },
    data: { ...(identity.name !== undefined ? { name: identity.name } : {}), ...(identity.email !== undefined ? { email: identity.email } : {}) },
  };
}

/** One SSH private key of an auth user, as a Secret of type kubernetes.io/ssh-auth. */
export function sshKeySecret(namespace: string, user: string, keyName: string, privateKey: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/ssh-auth",
    metadata: { name: `ssh-key-${user}-${keyName}`, namespace, labels: { [AUTH_USER_LABEL]: user, [COMPONENT_LABEL]: "ssh-key" } },
    stringData: { "ssh-privatekey": privateKey },
  };
}

/** An auth user's settings: the identity from the ConfigMap, the key Secrets by name only (the kubelet mounts their data). */
export async function loadGitSettings(client: KubeClient, namespace: string, user: string): Promise<GitSettings> {
  const selector = `${AUTH_USER_LABEL}=${user}`;
  const [maps, secrets] = await Promise.all([
    client.list({ apiVersion: "v1", kind: "ConfigMap" }, { namespace, labelSelector: `${selector},${COMPONENT_LABEL}=identity` }),
    client.list({ apiVersion: "v1", kind: "Secret" }, { namespace, labelSelector: `${selector},${COMPONENT_LABEL}=ssh-key`, fieldSelector: "type=kubernetes.io/ssh-auth" }),
  ]);
  const data = (maps.items[0]?.data ?? {}) as { name?: string; email?: string };
  return {
    identity: { ...(data.name !== undefined ? { name: data.name } : {}), ...(data.email !== undefined ? { email: data.email } : {}) },
    sshKeySecrets: secrets.items.map((s) => s.metadata.name!).sort(),
  };
}
