import anyTest, { type TestFn } from "ava";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { GitImport } from "../../crds/types/index.js";
import { installCrds } from "../../operator/install.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../../reconcilers/index.js";
import { createTestNamespace, eventually, useTestbed, type Testbed } from "../../testbed/index.js";
import { ON_REAL_NODES, podLog, realNodesHere } from "../../testbed/pods.js";
import { addSshKey, updateAuthUser } from "../auth-users/index.js";
import { hostUserdir, type HostUserdir } from "../testing/host-userdir.js";
import { addGitImportController, GIT_IMPORT } from "./git-import-controller.js";
import { KNOWN_HOSTS_CONFIG_MAP } from "./git-injection.js";
import { gitRepository, sshKeyPair, startGitServer, type GitRepository, type GitServer, type SshKeyPair } from "./testing.js";

// Git imports that really clone, on the test bed's real nodes (the namespace sends every pod there): from a git
// server pod that lets in only the auth user's key, through the key, known hosts and git config the clone pod
// gets injected, into a user directory on the host. Skipped where the run has no real nodes with the images.
const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;

// Shell syntax in every position a shell would act on, aimed at the user directory where the test can look.
const NAME = `$(touch /userdir/pwned) x"; touch /userdir/pwned-too #`;
const EMAIL = "ada'`touch /userdir/pwned-3`@example.com";
const USER = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const FILES = { "README.md": "# demo\n", "pipelines/main.orchest": '{"name": "main"}\n' };

let tb: Testbed;
let client: KubeClient;
let manager: Manager;
let ns: string;
let userdir: HostUserdir;
let server: GitServer;
let repository: GitRepository;
let key: SshKeyPair;

anyTest.before(async () => {
  if (!realNodesHere()) return;
  tb = await useTestbed();
  key = sshKeyPair();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "git-ssh", ON_REAL_NODES);
  client = new KubeClient(tb.kubeConfig);
  repository = gitRepository(FILES);
  server = await startGitServer(tb.kubeConfig, ns, { image: tb.images["git-server"]!, authorizedKeys: [key.publicKey], repositories: { demo: repository } });
  userdir = await hostUserdir(client, ns);
  await addSshKey(client, ns, USER, "git-server", key.privateKey);
  await updateAuthUser(client, ns, USER, (spec) => ({ ...spec, gitConfig: { uuid: "config-1", name: NAME, email: EMAIL } }));
  manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api", logger: silentLogger });
  addGitImportController(manager, { namespace: ns });
  await manager.start();
});

anyTest.after.always(async () => {
  await manager?.stop();
  await userdir?.remove();
  client?.close();
});

const url = () => `ssh://git@${server.host}/srv/git/demo.git`;
const getImport = async (name: string) => (await client.get({ ...GIT_IMPORT, namespace: ns, name })) as unknown as GitImport;

/**
 * Creates the import and waits until it finished (image pulls on a loaded machine take a while), or until its
 * pod cannot start for a volume, which the kubelet says in an Event and would retry for ever.
 */
async function importAndWait(name: string, spec: Partial<GitImport["spec"]>): Promise<GitImport> {
  await client.create({ ...GIT_IMPORT, metadata: { name, namespace: ns }, spec: { url: url(), image: tb.images.git!, userdir: { claimName: "userdir-pvc", path: `projects/${name}` }, ...spec } } as KubeObject);
  return eventually(`GitImport ${name} to finish`, async () => {
    const gi = await getImport(name);
    if (gi.status?.phase === "Succeeded" || gi.status?.phase === "Failed") return gi;
    const events = (await client.list({ apiVersion: "v1", kind: "Event" }, { namespace: ns, fieldSelector: `involvedObject.name=${name}-git-import` })).items;
    const stuck = events.find((e) => e.reason === "FailedMount");
    return stuck ? { ...gi, status: { ...gi.status, message: `stuck: ${(stuck as { message?: string }).message}` } } : undefined;
  }, 240_000, 250);
}

test("without the known-hosts ConfigMap the import fails at once with ssh's refusal and where to add the host, instead of waiting for the ConfigMap", async (t) => {
  // Created after this test whatever it found: the next ones need the server's host key known.
  t.teardown(() => client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: KNOWN_HOSTS_CONFIG_MAP, namespace: ns }, data: { known_hosts: `${server.knownHosts}\n` } }));
  const gi = await importAndWait("unknown-host", { authUser: USER });
  t.like(gi.status, { phase: "Failed", reason: "CloneFailed" }, `the import's status: ${JSON.stringify(gi.status)}`);
  t.regex(gi.status?.message ?? "", /Host key verification failed/);
  t.regex(gi.status?.message ?? "", /ConfigMap orchest-known-hosts/);
});

test("over SSH with the auth user's key: Succeeded, the repository's commit in the project directory, the user name with shell syntax in git's own record, nothing ran", async (t) => {
  const gi = await importAndWait("with-key", { authUser: USER });
  t.is(gi.status?.phase, "Succeeded", `the import's status: ${JSON.stringify(gi.status)}`);
  const project = join(userdir.path, "projects", "with-key");
  for (const [path, content] of Object.entries(FILES)) t.is(readFileSync(join(project, path), "utf8"), content, path);
  t.is(execFileSync("git", ["-C", project, "rev-parse", "HEAD"], { encoding: "utf8" }).trim(), repository.commit);
  // The clone's reflog entry is git's record of who cloned: the committer identity as git itself took it.
  const reflog = readFileSync(join(project, ".git", "logs", "HEAD"), "utf8");
  const entry = /^0{40} ([0-9a-f]{40}) (.*) <(.*)> \d+ [+-]\d{4}\tclone: from (.*)\n$/.exec(reflog);
  t.truthy(entry, `one clone entry in the reflog: ${reflog}`);
  t.deepEqual(entry?.slice(1), [repository.commit, NAME, EMAIL, `ssh://${server.host}/srv/git/demo.git`]);
  t.deepEqual(readdirSync(userdir.path), ["projects"], "no file made by a shell in the user directory");
});

test("without the key the server refuses: Failed, with ssh's and git's words in the status", async (t) => {
  const gi = await importAndWait("without-key", {});
  t.like(gi.status, { phase: "Failed", reason: "CloneFailed" });
  t.regex(gi.status!.message!, /Permission denied \(publickey\)/);
  t.regex(gi.status!.message!, /Could not read from remote repository/);
  t.false(existsSync(join(userdir.path, "projects", "without-key", "README.md")));
});

test("the private key appears in no log, Event, spec or status", async (t) => {
  // The key's base64 body, line by line as ssh-keygen wrapped it, and the Secret's encoding of the whole file.
  const body = key.privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
  const needles = [...body, Buffer.from(key.privateKey.trim()).toString("base64").slice(0, 40)];
  const list = async (apiVersion: string, kind: string) => JSON.stringify((await client.list({ apiVersion, kind }, { namespace: ns })).items);
  const places: Record<string, string> = {
    pods: await list("v1", "Pod"),
    events: (await list("v1", "Event")) + (await list("events.k8s.io/v1", "Event")),
    gitImports: await list(GIT_IMPORT.apiVersion, GIT_IMPORT.kind),
    authUsers: await list("orchest.io/v1alpha1", "AuthUser"),
    "clone logs": (await Promise.all(["unknown-host", "with-key", "without-key"].map((name) => podLog(tb.kubeConfig, ns, `${name}-git-import`).catch((error: Error) => error.message)))).join("\n"),
    "server log": await podLog(tb.kubeConfig, ns, server.podName),
  };
  t.regex(places["server log"]!, /Accepted publickey for git/, "the server saw the key (by its fingerprint)");
  for (const [where, text] of Object.entries(places)) t.false(needles.some((needle) => text.includes(needle)), `key material in ${where}`);
});
