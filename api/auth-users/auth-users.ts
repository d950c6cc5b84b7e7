import { randomUUID } from "node:crypto";
import { authUserResource, type AuthUser, type AuthUserSpec, type SSHKeyRef } from "../../crds/types/index.js";
import { isAlreadyExists, isConflict, withControllerReference, type KubeClient, type KubeObject } from "../../reconcilers/index.js";

export const AUTH_USER = { apiVersion: authUserResource.apiVersion, kind: authUserResource.kind } as const;
/** Label on an auth user's SSH key Secrets: the user's UUID. */
export const AUTH_USER_LABEL = "orchest.io/auth-user";

const asKube = (user: AuthUser) => user as unknown as KubeObject;

/** Why `uuid` cannot name an AuthUser (a DNS subdomain, as Kubernetes names are), or undefined. */
export function authUserUuidProblem(uuid: unknown): string | undefined {
  if (typeof uuid !== "string") return "uuid is not a string.";
  if (uuid.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(uuid)) {
    return `uuid ${JSON.stringify(uuid)} cannot name an auth user: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters (a UUID is such a name)`;
  }
  return undefined;
}

/** The auth user, made if missing: Orchest's endpoints upserted the user they were called for. */
export async function upsertAuthUser(client: KubeClient, namespace: string, uuid: string): Promise<AuthUser> {
  const ref = { ...AUTH_USER, namespace, name: uuid };
  const existing = await client.get(ref);
  if (existing) return existing as unknown as AuthUser;
  try {
    return (await client.create({ ...AUTH_USER, metadata: { name: uuid, namespace }, spec: {} } as KubeObject)) as unknown as AuthUser;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return (await client.get(ref)) as unknown as AuthUser;
  }
}

/**
 * Applies `change` to the user's spec and writes it with the resourceVersion it was read at, again on a lost
 * race, so concurrent calls (two keys added at once) both land. `change` returns the new spec, or a reason
 * to leave it as it is.
 */
export async function updateAuthUser(client: KubeClient, namespace: string, uuid: string, change: (spec: AuthUserSpec) => AuthUserSpec | { refused: string }): Promise<AuthUserSpec | { refused: string }> {
  for (;;) {
    const user = await upsertAuthUser(client, namespace, uuid);
    const spec = change(structuredClone(user.spec ?? {}));
    if ("refused" in spec) return spec;
    try {
      await client.replace(asKube({ ...user, spec }));
      return spec;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}

/** One SSH private key of an auth user, as Orchest stored it: a Secret of type kubernetes.io/ssh-auth named ssh-key-<key uuid>. */
export function sshKeySecret(namespace: string, user: string, keyUuid: string, privateKey: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/ssh-auth",
    metadata: { name: `ssh-key-${keyUuid}`, namespace, labels: { [AUTH_USER_LABEL]: user } },
    stringData: { "ssh-privatekey": privateKey },
  };
}

/**
 * Stores a key: its Secret first, owned by the AuthUser (deleting the user deletes its keys), then the
 * reference in the spec. The key is trimmed and ends with one newline, as Orchest stored it (ssh needs it).
 */
export async function addSshKey(client: KubeClient, namespace: string, uuid: string, name: string, privateKey: string): Promise<SSHKeyRef> {
  const user = await upsertAuthUser(client, namespace, uuid);
  const key: SSHKeyRef = { uuid: randomUUID(), name, secretName: "" };
  const secret = await client.create(withControllerReference(sshKeySecret(namespace, uuid, key.uuid, `${privateKey.trim()}\n`), asKube(user)));
  key.secretName = secret.metadata.name!;
  try {
    await updateAuthUser(client, namespace, uuid, (spec) => ({ ...spec, sshKeys: [...(spec.sshKeys ?? []), key] }));
  } catch (err) {
    await client.delete({ apiVersion: "v1", kind: "Secret", namespace, name: key.secretName });
    throw err;
  }
  return key;
}

/** Drops the key from the spec, then deletes its Secret. False when the user has no such key. */
export async function removeSshKey(client: KubeClient, namespace: string, uuid: string, keyUuid: string): Promise<boolean> {
  let removed: SSHKeyRef | undefined;
  await updateAuthUser(client, namespace, uuid, (spec) => {
    removed = spec.sshKeys?.find((k) => k.uuid === keyUuid);
    return removed ? { ...spec, sshKeys: spec.sshKeys!.filter((k) => k !== removed) } : { refused: "no such key" };
  });
  if (!removed) return false;
  await client.delete({ apiVersion: "v1", kind: "Secret", namespace, name: removed.secretName });
  return true;
}

/** Deletes every key Secret of the user, by its label. */
export async function deleteSshKeySecrets(client: KubeClient, namespace: string, uuid: string): Promise<void> {
  const secrets = await client.list({ apiVersion: "v1", kind: "Secret" }, { namespace, labelSelector: `${AUTH_USER_LABEL}=${uuid}` });
  await Promise.all(secrets.items.map((secret) => client.delete({ apiVersion: "v1", kind: "Secret", namespace, name: secret.metadata.name! })));
}
