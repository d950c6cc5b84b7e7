// Test support for sessions on the test bed's real nodes: a namespace whose pods go there, its user directory with
// the project, an auth user with a name and an SSH key; and commands run in a pod's container.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { installCrds } from "../../operator/install.js";
import { KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { createTestNamespace, useTestbed, type Testbed } from "../../testbed/index.js";
import { ON_REAL_NODES } from "../../testbed/pods.js";
import { addSshKey, updateAuthUser } from "../auth-users/index.js";
import { sshKeyPair, type SshKeyPair } from "../git/testing.js";
import { hostUserdir, type HostUserdir } from "../testing/host-userdir.js";

export interface SessionFixture {
  readonly tb: Testbed;
  readonly ns: string;
  readonly client: KubeClient;
  readonly userdir: HostUserdir;
  /** The auth user's key pair (its private key in the user's key Secret). */
  readonly key: SshKeyPair;
}

/** A real-node namespace with the CRDs, a user directory holding `files`, and auth user `user` named `name` with a key. */
export async function sessionFixture(prefix: string, files: Readonly<Record<string, string>>, user: { uuid: string; name: string }): Promise<SessionFixture> {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, prefix, ON_REAL_NODES);
  const client = new KubeClient(tb.kubeConfig);
  const userdir = await hostUserdir(client, ns);
  userdir.write(files);
  const key = sshKeyPair();
  await addSshKey(client, ns, user.uuid, "github", key.privateKey);
  await updateAuthUser(client, ns, user.uuid, (spec) => ({ ...spec, gitConfig: { uuid: "config-1", name: user.name, email: "ada@example.com" } }));
  return { tb, ns, client, userdir, key };
}

/** Runs a command in a pod's container (its first unless named) with kubectl exec; resolves to its exit code and output. */
export async function execIn(tb: Testbed, pod: KubeObject, command: readonly string[], container?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["exec", "-n", pod.metadata.namespace!, pod.metadata.name!, ...(container ? ["-c", container] : []), "--", ...command];
  try {
    const { stdout, stderr } = await promisify(execFile)("kubectl", args, { env: { ...process.env, KUBECONFIG: tb.kubeconfigPath }, encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw err;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
