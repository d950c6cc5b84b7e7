import test from "ava";
import type { GitImport } from "../../crds/types/index.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { installCrds } from "../../operator/install.js";
import { addSshKey, updateAuthUser } from "../auth-users/index.js";
import { addGitImportController, GIT_IMPORT } from "./git-import-controller.js";
import { SSH_KEYS_DIR } from "./git-injection.js";

// GitImports on the test bed's simulated nodes: the clone pod as created, and the outcome kwok makes it have.
// Real clones over SSH, on real nodes, are git-import-ssh.test.ts.
let client: KubeClient;
let manager: Manager;
let ns: string;

/** The api's --git-image in this file: what an import that names no image runs. */
const GIT_IMAGE = "registry.example/orchest-gitops/git:0.1.0";

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "git-import");
  client = new KubeClient(tb.kubeConfig);
  // A user directory bound at once, so that the scheduler places the clone pods.
  await client.create({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `${ns}-userdir` }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], hostPath: { path: "/tmp/userdir" }, claimRef: { namespace: ns, name: "userdir-pvc" } } });
  await client.create({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "userdir-pvc", namespace: ns }, spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName: `${ns}-userdir`, resources: { requests: { storage: "1Gi" } } } });
  manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api", logger: silentLogger });
  addGitImportController(manager, { namespace: ns, gitImage: GIT_IMAGE });
  await manager.start();
});

test.after.always(async () => {
  await manager?.stop();
  await client?.delete({ apiVersion: "v1", kind: "PersistentVolume", name: `${ns}-userdir` });
});

const gitImport = (name: string, spec: Partial<GitImport["spec"]> = {}): KubeObject =>
  ({ ...GIT_IMPORT, metadata: { name, namespace: ns }, spec: { url: "https://git.example/repo.git", userdir: { claimName: "userdir-pvc", path: "projects/demo" }, ...spec } }) as KubeObject;
/** The gitimport controller's work as its metrics count it: items added to its queue, queued now, in flight now. */
async function controllerState(): Promise<{ adds: number; depth: number; active: number }> {
  const text = await manager.metrics.registry.metrics();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    adds: value(/^workqueue_adds_total\{controller="gitimport"[^}]*\} (\d+)/m),
    depth: value(/^workqueue_depth\{controller="gitimport"[^}]*\} (\d+)/m),
    active: value(/^controller_runtime_active_workers\{controller="gitimport"\} (\d+)/m),
  };
}
const getImport = async (name: string) => (await client.get({ ...GIT_IMPORT, namespace: ns, name })) as unknown as GitImport;
const podOf = async (name: string) => (await client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: `${name}-git-import` })) as (KubeObject & { spec: any }) | undefined;

test.serial("an import of an auth user: git clone with the URL as one argument, the user's git config and keys (0400, read-only), owned by the import; Running", async (t) => {
  const user = "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
  const key = await addSshKey(client, ns, user, "github", "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----");
  const name = `x"; touch /tmp/pwned #`;
  await updateAuthUser(client, ns, user, (spec) => ({ ...spec, gitConfig: { uuid: "c", name, email: "ada@example.com" } }));
  const url = "ssh://git@git.example/$(touch /tmp/pwned);repo.git";
  await client.create(gitImport("with-user", { url, ref: "main", authUser: user }));

  await waitFor("the import Running", async () => (await getImport("with-user")).status?.phase === "Running", 30_000, 100);
  const gi = await getImport("with-user");
  const pod = (await podOf("with-user"))!;
  t.is(gi.status?.podName, pod.metadata.name);
  t.is(pod.metadata.ownerReferences?.[0]?.uid, gi.metadata!.uid);
  const container = pod.spec.containers[0];
  t.deepEqual(container.command, ["git", "clone", "--branch", "main", "--", url, "/userdir/projects/demo"]);
  const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  t.is(env.GIT_AUTHOR_NAME, name);
  t.is(env.GIT_CONFIG_KEY_0, "user.name");
  t.is(env.GIT_CONFIG_VALUE_0, name);
  t.regex(env.GIT_CONFIG_VALUE_2, new RegExp(`-i ${SSH_KEYS_DIR}/key-0$`));
  const keys = pod.spec.volumes.find((v: { name: string }) => v.name === "git-ssh-keys");
  t.deepEqual(keys.projected.sources, [{ secret: { name: key.secretName, items: [{ key: "ssh-privatekey", path: "key-0" }] } }]);
  t.is(keys.projected.defaultMode, 0o400);
  t.deepEqual(
    container.volumeMounts.map((m: { mountPath: string; readOnly?: boolean }) => [m.mountPath, m.readOnly ?? false]).sort(),
    [["/etc/orchest/ssh/keys", true], ["/etc/orchest/ssh/known-hosts", true], ["/userdir", false]],
  );
});

test.serial("an import without an auth user gets no git config and no keys", async (t) => {
  await client.create(gitImport("anonymous", { userdir: { claimName: "userdir-pvc", path: "projects/other/" } }));
  await waitFor("the clone pod", async () => (await podOf("anonymous")) !== undefined, 30_000, 100);
  const pod = (await podOf("anonymous"))!;
  t.deepEqual(pod.spec.containers[0].command, ["git", "clone", "--", "https://git.example/repo.git", "/userdir/projects/other"]);
  t.false(pod.spec.volumes.some((v: { name: string }) => v.name === "git-ssh-keys"));
  t.false(pod.spec.containers[0].env.some((e: { name: string }) => e.name.startsWith("GIT_AUTHOR")));
});

test.serial("an import runs in the image it names, else in the api's git image (--git-image, the release's)", async (t) => {
  await client.create(gitImport("own-image", { image: "registry.example/team/git:2.43" }));
  await client.create(gitImport("default-image"));
  await waitFor("both clone pods", async () => (await podOf("own-image")) !== undefined && (await podOf("default-image")) !== undefined, 30_000, 100);
  t.is((await podOf("own-image"))!.spec.containers[0].image, "registry.example/team/git:2.43");
  t.is((await podOf("default-image"))!.spec.containers[0].image, GIT_IMAGE);
});

test.serial("the clone's end is the import's: exit 0 Succeeded, else Failed with git's exit code, each with its Event, status kept", async (t) => {
  await client.create(gitImport("ok"));
  await client.create(gitImport("broken"));
  await waitFor("both clone pods", async () => (await podOf("ok")) !== undefined && (await podOf("broken")) !== undefined, 30_000, 100);
  // kwok completes a pod labelled so, with the exit code annotated: what git's exit would be on a real node.
  for (const [name, code] of [["ok", "0"], ["broken", "128"]] as const) {
    await client.patch({ apiVersion: "v1", kind: "Pod", namespace: ns, name: `${name}-git-import` }, { metadata: { labels: { "testbed.orchest.io/completes": "true" }, annotations: { "testbed.orchest.io/exit-code": code } } }, "merge");
  }
  await waitFor("both imports finished", async () => ["Succeeded", "Failed"].includes((await getImport("ok")).status?.phase ?? "") && (await getImport("broken")).status?.phase === "Failed", 30_000, 100);
  t.is((await getImport("ok")).status?.phase, "Succeeded");
  t.truthy((await getImport("ok")).status?.completionTime);
  t.like((await getImport("broken")).status, { phase: "Failed", reason: "CloneFailed" });
  t.regex((await getImport("broken")).status!.message!, /exited with code 128/);
  const events = (await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items as unknown as { reason: string; regarding: { name: string } }[];
  t.true(events.some((e) => e.reason === "Cloned" && e.regarding.name === "ok"));
  t.true(events.some((e) => e.reason === "CloneFailed" && e.regarding.name === "broken"));

  const before = await controllerState();
  await client.delete({ apiVersion: "v1", kind: "Pod", namespace: ns, name: "broken-git-import" });
  await waitFor("the pod gone", async () => (await podOf("broken")) === undefined, 30_000, 100);
  // The deletion brings the import back to its reconciler: wait until that ran and nothing is queued or in flight.
  await waitFor("the reconciles the deletion caused", async () => {
    const now = await controllerState();
    return now.adds > before.adds && now.depth === 0 && now.active === 0;
  }, 30_000, 100);
  t.is((await getImport("broken")).status?.phase, "Failed", "a finished import keeps its outcome, and no new clone starts");
  t.is(await podOf("broken"), undefined);
});
