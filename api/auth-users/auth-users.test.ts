import test from "ava";
import { randomBytes } from "node:crypto";
import type { AuthUser } from "../../crds/types/index.js";
import { EventRecorder, jsonLogger, KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { installCrds } from "../../operator/install.js";
import { createGitPod } from "../git/index.js";
import { ApiServer } from "../server/server.js";
import { registerAuthUserRoutes } from "../server/auth-user-routes.js";
import { AUTH_USER } from "./auth-users.js";

// Orchest's /auth-users/ endpoints on the api's HTTP server, over AuthUser resources and Secrets on the test bed.
let client: KubeClient;
let ns: string;
let url: string;
let server: ApiServer;
const lines: string[] = [];

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "auth-users");
  client = new KubeClient(tb.kubeConfig);
  server = new ApiServer(jsonLogger({ level: "debug", write: (line) => lines.push(line) }));
  registerAuthUserRoutes(server, { client, namespace: ns });
  const address = await server.listen("127.0.0.1", 0);
  url = `http://127.0.0.1:${address.port}`;
});

test.after.always(async () => {
  await server?.close();
  client?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text };
}

const authUser = async (uuid: string) => (await client.get({ ...AUTH_USER, namespace: ns, name: uuid })) as unknown as AuthUser | undefined;

test.serial("git configs: created, listed, changed and deleted per auth user, kept in its AuthUser; a second one is refused 409", async (t) => {
  const user = "0b4f3a52-8c1e-4f0a-9d7e-2a6c1b3e5f70";
  t.is((await call("POST", "/auth-users/", { uuid: user })).status, 201);
  t.deepEqual((await call("GET", `/auth-users/${user}/git-configs`)).json, { git_configs: [] });
  const name = `x"; touch /tmp/pwned #`;
  const created = await call("POST", `/auth-users/${user}/git-configs`, { name, email: "ada@example.com" });
  t.is(created.status, 201);
  t.like(created.json, { name, email: "ada@example.com" });
  t.is((await call("POST", `/auth-users/${user}/git-configs`, { name: "again", email: "a@b" })).status, 409);
  t.like((await authUser(user))?.spec.gitConfig, { uuid: created.json.uuid, name, email: "ada@example.com" });

  const changed = await call("PUT", `/auth-users/${user}/git-configs/${created.json.uuid}`, { name: "Ada", email: "ada@lovelace.org" });
  t.is(changed.status, 200);
  t.deepEqual((await call("GET", `/auth-users/${user}/git-configs`)).json, { git_configs: [{ uuid: created.json.uuid, name: "Ada", email: "ada@lovelace.org" }] });
  t.is((await call("GET", `/auth-users/${user}/git-configs/${created.json.uuid}`)).json.name, "Ada");

  const bad = await call("POST", `/auth-users/${user}/git-configs`, { name: 7, email: "a@b" });
  t.is(bad.status, 400);
  t.regex(bad.json.message, /name is not a string/i);
  t.is((await call("DELETE", `/auth-users/${user}/git-configs/${created.json.uuid}`)).status, 200);
  t.is((await authUser(user))?.spec.gitConfig, undefined);
});

test.serial("SSH keys: added into Secrets owned by the AuthUser, listed without the key, deleted; the key is in no spec, status, answer, Event or log line", async (t) => {
  const user = "7d2e9c14-3b5a-4e6f-8a1c-9f0e2d4b6a83";
  const marker = `KEYMATERIAL${randomBytes(12).toString("hex")}`;
  const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${marker}\n-----END OPENSSH PRIVATE KEY-----`;
  // The first call for a user makes it, as Orchest upserted the auth user on these endpoints.
  const added = await call("POST", `/auth-users/${user}/ssh-keys`, { name: "github", key: `  ${key}  \n\n` });
  t.is(added.status, 201);
  t.deepEqual(Object.keys(added.json).sort(), ["auth_user_uuid", "name", "uuid"]);
  const second = await call("POST", `/auth-users/${user}/ssh-keys`, { name: "gitlab", key });
  const listed = await call("GET", `/auth-users/${user}/ssh-keys`);
  t.deepEqual(listed.json.ssh_keys.map((k: { name: string }) => k.name).sort(), ["github", "gitlab"]);

  const resource = await authUser(user);
  const secretName = resource!.spec.sshKeys!.find((k) => k.uuid === added.json.uuid)!.secretName;
  t.is(secretName, `ssh-key-${added.json.uuid}`, "Orchest's Secret name");
  const secret = (await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: secretName })) as KubeObject & { type: string; data: Record<string, string> };
  t.is(secret.type, "kubernetes.io/ssh-auth");
  t.is(Buffer.from(secret.data["ssh-privatekey"]!, "base64").toString("utf8"), `${key}\n`, "stripped, one newline, as Orchest stored it");
  t.is(secret.metadata.ownerReferences?.[0]?.uid, resource!.metadata!.uid, "owned by the AuthUser: deleting the user deletes its keys");

  // The key reaches the pods that need it, by Secret name only.
  const events = new EventRecorder(client, "orchest-api", "test", jsonLogger({ level: "debug", write: (line) => lines.push(line) }));
  const pod = await createGitPod(client, events, jsonLogger({ level: "debug", write: (line) => lines.push(line) }), {
    consumer: "git-import",
    user,
    pod: { apiVersion: "v1", kind: "Pod", metadata: { name: "git-import", namespace: ns }, spec: { restartPolicy: "Never", containers: [{ name: "main", image: "git" }] } },
    container: "main",
  });
  t.true(JSON.stringify(pod.spec).includes(secretName));

  t.is((await call("DELETE", `/auth-users/${user}/ssh-keys/${second.json.uuid}`)).status, 200);
  t.deepEqual((await authUser(user))!.spec.sshKeys!.map((k) => k.name), ["github"]);
  t.is(await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: `ssh-key-${second.json.uuid}` }), undefined);

  const everywhere = [
    JSON.stringify(await authUser(user)),
    JSON.stringify((await client.list(AUTH_USER, { namespace: ns })).items),
    added.text,
    second.text,
    listed.text,
    JSON.stringify((await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: ns })).items),
    JSON.stringify((await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items),
    JSON.stringify((await client.list({ apiVersion: "v1", kind: "Event" }, { namespace: ns })).items),
    ...lines,
  ].join("\n");
  t.false(everywhere.includes(marker), "the key in plain text nowhere");
  t.false(everywhere.includes(Buffer.from(key).toString("base64").slice(0, 40)), "nor in base64");

  const missing = await call("POST", `/auth-users/${user}/ssh-keys`, { name: "no key" });
  t.is(missing.status, 400);
  t.regex(missing.json.message, /key is not a string/i);
  t.is((await call("DELETE", `/auth-users/${user}`)).status, 200);
  t.is(await authUser(user), undefined);
  t.is(await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: secretName }), undefined, "and its keys with it");
});

test.serial("an auth user UUID that cannot name a resource is refused with the field and the rule", async (t) => {
  const res = await call("POST", "/auth-users/", { uuid: "Not A UUID!" });
  t.is(res.status, 400);
  t.regex(res.json.message, /uuid "Not A UUID!".*lowercase/);
});
