import test from "ava";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { installCrds } from "../../operator/install.js";
import { EventRecorder, jsonLogger, KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { gitInjection, KNOWN_HOSTS_CONFIG_MAP, SSH_KEYS_DIR } from "./git-injection.js";
import { createGitPod } from "./git-pod.js";
import { importStatusOf } from "./git-import-pod.js";
import { AUTH_USER, sshKeySecret } from "../auth-users/index.js";
import { tempDir } from "../../testbed/temp-dir.js";

/** Runs real git with exactly the env a pod would get from the injection (plus a private HOME). */
function git(home: string, cwd: string, env: Array<{ name: string; value: string }>, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH, HOME: home, ...Object.fromEntries(env.map((e) => [e.name, e.value])) } });
}

test("a git user name with shell syntax reaches git as that literal string and runs nothing", (t) => {
  const canary = join(tempDir(t, "canary"), "ran");
  const home = tempDir(t, "git-home");
  const repos = tempDir(t, "git-repos");
  for (const name of ['x"; rm -rf / #', `x"; touch ${canary} #`, `$(touch ${canary})`, `\`touch ${canary}\``]) {
    const email = `a'b"@example.com; touch ${canary}`;
    const { env } = gitInjection("jupyter-server", { identity: { name, email }, sshKeySecrets: ["k"] });
    const repo = mkdtempSync(join(repos, "repo-"));
    git(home, repo, env, "init", "--quiet");
    git(home, repo, env, "commit", "--quiet", "--allow-empty", "-m", "first");
    t.is(git(home, repo, env, "log", "-1", "--format=%an%n%ae%n%cn%n%ce"), `${name}\n${email}\n${name}\n${email}\n`);
    t.is(git(home, repo, env, "config", "user.name"), `${name}\n`);
    t.false(existsSync(canary), `nothing ran for ${name}`);
  }
});

test("keys go to the Jupyter server and git imports read-only with mode 0400; environment shells get git config only", (t) => {
  const settings = { identity: { name: "Ada" }, sshKeySecrets: ["ssh-key-u-github", "ssh-key-u-gitlab"] };
  for (const consumer of ["jupyter-server", "git-import"] as const) {
    const { volumes, volumeMounts, env } = gitInjection(consumer, settings);
    t.deepEqual(volumes[1], {
      name: "git-ssh-keys",
      projected: {
        defaultMode: 0o400,
        sources: [
          { secret: { name: "ssh-key-u-github", items: [{ key: "ssh-privatekey", path: "key-0" }] } },
          { secret: { name: "ssh-key-u-gitlab", items: [{ key: "ssh-privatekey", path: "key-1" }] } },
        ],
      },
    });
    t.deepEqual(volumeMounts.map((m) => [m.mountPath, m.readOnly]), [["/etc/orchest/ssh/known-hosts", true], [SSH_KEYS_DIR, true]]);
    const sshCommand = env.find((e) => e.value.startsWith("ssh "))!.value;
    t.is(sshCommand, `ssh -F /dev/null -o UserKnownHostsFile=/etc/orchest/ssh/known-hosts/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i ${SSH_KEYS_DIR}/key-0 -i ${SSH_KEYS_DIR}/key-1`);
  }
  const shell = gitInjection("environment-shell", settings);
  t.deepEqual(shell.volumes.map((v) => v.name), ["git-known-hosts"]);
  t.false(JSON.stringify(shell).includes("ssh-key-u-"), "no key reference in a shell's pod");
  t.true(shell.env.some((e) => e.name === "GIT_AUTHOR_NAME" && e.value === "Ada"));
});

test("a missing known-hosts ConfigMap never holds a pod back: the volume is optional, and ssh then refuses every host", (t) => {
  for (const consumer of ["jupyter-server", "git-import", "environment-shell"] as const) {
    const { volumes } = gitInjection(consumer, { identity: {}, sshKeySecrets: [] });
    t.like(volumes[0], { name: "git-known-hosts", configMap: { name: KNOWN_HOSTS_CONFIG_MAP, optional: true } });
  }
});

test("an import that ssh refused for an unknown host key says where to add the host", (t) => {
  const said = "Cloning into '/userdir/projects/demo'...\nHost key verification failed.\r\nfatal: Could not read from remote repository.\n";
  const failed = { status: { phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 128, message: said } } }] } } as unknown as KubeObject;
  const { message } = importStatusOf(failed);
  t.true(message!.startsWith(said.trim()), "git's own words first");
  t.regex(message!, /ConfigMap orchest-known-hosts \(key known_hosts\) of this namespace/);
  t.regex(message!, /ssh-keyscan/);
  const other = { status: { phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 128, message: "fatal: repository not found" } } }] } } as unknown as KubeObject;
  t.is(importStatusOf(other).message, "fatal: repository not found", "no hint where ssh did not refuse the host");
});

test("on the test bed: pods get the settings, and the key material appears in no Event, log line, pod spec or status", async (t) => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, "git");
  const client = new KubeClient(tb.kubeConfig);
  t.teardown(() => client.close());
  const user = "u-1";
  const marker = `KEYMATERIAL${randomBytes(12).toString("hex")}`;
  const privateKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${marker}\n-----END OPENSSH PRIVATE KEY-----\n`;
  await client.create(sshKeySecret(ns, user, "github", privateKey));
  await client.create({
    ...AUTH_USER,
    metadata: { name: user, namespace: ns },
    spec: { gitConfig: { uuid: "c-1", name: 'x"; rm -rf / #', email: "ada@example.com" }, sshKeys: [{ uuid: "github", name: "github", secretName: "ssh-key-github" }] },
  } as KubeObject);
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: KNOWN_HOSTS_CONFIG_MAP, namespace: ns }, data: { known_hosts: "github.com ssh-ed25519 AAAA\n" } });

  const lines: string[] = [];
  const logger = jsonLogger({ level: "debug", write: (line) => lines.push(line) });
  const events = new EventRecorder(client, "orchest-api", "test", logger);
  const pod = (name: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: { "testbed.orchest.io/completes": "true" } },
    spec: { restartPolicy: "Never", containers: [{ name: "main", image: "jupyter/base-notebook", env: [{ name: "GIT_AUTHOR_NAME", value: "overridden" }] }] },
  });
  const created = await Promise.all([
    createGitPod(client, events, logger, { consumer: "jupyter-server", user, pod: pod("jupyter-server"), container: "main" }),
    createGitPod(client, events, logger, { consumer: "git-import", user, pod: pod("git-import"), container: "main" }),
    createGitPod(client, events, logger, { consumer: "environment-shell", user, pod: pod("environment-shell"), container: "main" }),
  ]);
  const env = (p: KubeObject) => (p.spec as any).containers[0].env as Array<{ name: string; value: string }>;
  t.deepEqual(env(created[0]!).filter((e) => e.name === "GIT_AUTHOR_NAME"), [{ name: "GIT_AUTHOR_NAME", value: 'x"; rm -rf / #' }]);
  t.true(JSON.stringify(created[1]!.spec).includes("ssh-key-github"));
  t.false(JSON.stringify(created[2]!.spec).includes("ssh-key-github"));

  // Let the pods run their course (kwok), so their statuses are final, then scan every place a key could leak.
  await waitFor("the pods to complete", async () => {
    const pods = (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: ns })).items;
    return pods.length === 3 && pods.every((p) => (p.status as any)?.phase === "Succeeded");
  }, 30_000, 200);
  const pods = (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: ns })).items;
  const allEvents = [
    ...(await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items,
    ...(await client.list({ apiVersion: "v1", kind: "Event" }, { namespace: ns })).items,
  ];
  t.true(allEvents.some((e) => e.reason === "GitConfigured"));
  t.true(lines.some((l) => l.includes("git settings injected")));
  const encoded = Buffer.from(privateKey).toString("base64");
  const haystacks = { events: JSON.stringify(allEvents), logs: lines.join("\n"), pods: JSON.stringify(pods) };
  for (const [where, text] of Object.entries(haystacks)) {
    t.false(text.includes(marker) || text.includes(encoded) || text.includes(Buffer.from(marker).toString("base64")), `key material in ${where}`);
  }
});
