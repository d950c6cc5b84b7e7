import anyTest, { type TestFn } from "ava";
import type { EnvironmentShell, Session } from "../../crds/types/index.js";
import { Manager, silentLogger, type KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { eventually, type Testbed } from "../../testbed/index.js";
import { podLog, realNodesHere } from "../../testbed/pods.js";
import type { SshKeyPair } from "../git/testing.js";
import type { HostUserdir } from "../testing/host-userdir.js";
import { addEnvironmentShellController, ENVIRONMENT_SHELL } from "./environment-shell-controller.js";
import { ENVIRONMENT_SHELL_UID_LABEL, shellName } from "./environment-shell.js";
import { SESSION_UID_LABEL } from "./jupyter-server.js";
import { addSessionController, SESSION } from "./session-controller.js";
import { SHELL_SSH_CONFIG, shellKeysSecretName } from "./shell-keys.js";
import { execIn, sessionFixture } from "./testing.js";

// Environment shells on the test bed's real nodes: a session's Jupyter server (this project's jupyter-server image)
// and a shell of the shell-environment test image next to it, reached from the server over ssh with the auth
// user's agent forwarded. Skipped where the run has no real nodes with the images.
const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;

const PROJECT = "5d0a4f6e-1b2c-4d3e-8f9a-0b1c2d3e4f5a";
const PIPELINE = "7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
const USER = "3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e";
// Shell syntax in every position a shell would act on, and a leading dash an option parser would take.
const NAME = `-n $(touch /project-dir/pwned) x"; touch /project-dir/pwned-too # \\ '`;
const FILES = { "projects/demo/main.orchest": '{"name": "main", "steps": {}}\n' };

let tb: Testbed;
let client: KubeClient;
let manager: Manager;
let ns: string;
let userdir: HostUserdir;
let key: SshKeyPair;

anyTest.before(async () => {
  if (!realNodesHere()) return;
  ({ tb, ns, client, userdir, key } = await sessionFixture("shells", FILES, { uuid: USER, name: NAME }));
  manager = new Manager({ kubeConfig: tb.kubeConfig, name: `orchest-api-${ns}`, logger: silentLogger });
  addSessionController(manager, { namespace: ns, jupyterImage: tb.images["jupyter-server"]! });
  addEnvironmentShellController(manager, { namespace: ns });
  await manager.start();
});

anyTest.after.always(async () => {
  await manager?.stop();
  await userdir?.remove();
  client?.close();
});

const exec = (pod: KubeObject, command: string[]) => execIn(tb, pod, command);

async function onePod(labelSelector: string): Promise<KubeObject> {
  const pods = (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: ns, labelSelector })).items;
  return pods.find((pod) => !pod.metadata.deletionTimestamp)!;
}

test("a shell of a session's environment runs git with the auth user's name and reaches the user's key only through the agent the Jupyter server forwards; no key material in shells, pods or Events; deleting the session removes the shell", async (t) => {
  await client.create({
    ...SESSION,
    metadata: { name: "demo", namespace: ns },
    spec: { project: PROJECT, pipeline: { uuid: PIPELINE, path: "main.orchest" }, userdir: { claimName: "userdir-pvc", projectDir: "projects/demo" }, authUser: USER },
  } as KubeObject);
  await client.create({ ...ENVIRONMENT_SHELL, metadata: { name: "python", namespace: ns }, spec: { session: "demo", image: tb.images["shell-environment"]! } } as KubeObject);
  const shell = await eventually("the shell to be Running or Failed", async () => {
    const found = (await client.get({ ...ENVIRONMENT_SHELL, namespace: ns, name: "python" })) as unknown as EnvironmentShell | undefined;
    return found?.status?.phase === "Running" || found?.status?.phase === "Failed" ? found : undefined;
  }, 300_000, 250);
  t.is(shell.status?.phase, "Running", shell.status?.message);
  const host = shell.status!.host!;
  const session = (await client.get({ ...SESSION, namespace: ns, name: "demo" })) as unknown as Session;
  t.deepEqual(shell.metadata?.ownerReferences?.map((ref) => [ref.kind, ref.uid, ref.controller ?? false]), [["Session", session.metadata!.uid, false]]);
  const server = await onePod(`${SESSION_UID_LABEL}=${session.metadata!.uid}`);
  const shellPod = await onePod(`${ENVIRONMENT_SHELL_UID_LABEL}=${shell.metadata!.uid}`);

  const ssh = (command: string) => exec(server, ["ssh", "-F", SHELL_SSH_CONFIG, host, command]);
  const name = await ssh("git config user.name");
  t.is(name.code, 0, name.stderr);
  t.is(name.stdout, `${NAME}\n`);
  const agent = await ssh("ssh-add -L");
  t.is(agent.code, 0, agent.stderr);
  t.is(agent.stdout.trim().split(" ").slice(0, 2).join(" "), key.publicKey, "the forwarded agent lists the user's key");
  t.is((await ssh("cat /pipeline.json")).stdout, FILES["projects/demo/main.orchest"], "the session's pipeline file");
  t.is((await exec(shellPod, ["ls", "/project-dir"])).stdout, "main.orchest\n", "nothing a shell made");

  // In the shell itself, without the server's connection: no agent, and none of the user's key on disk.
  t.not((await exec(shellPod, ["ssh-add", "-L"])).code, 0, "no agent in the shell");
  const body = key.privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
  const found = await exec(shellPod, ["grep", "-rlF", body[1]!, "/etc", "/root", "/run", "/tmp", "/project-dir"]);
  t.is(found.code, 1, `no file holds the user's key: ${found.stdout}${found.stderr}`);

  // Neither the user's key nor the session's shell keys anywhere but in their Secrets.
  const secret = (await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: shellKeysSecretName(session) })) as { data: Record<string, string> } | undefined;
  const shellKeys = ["client_key", "host_key"].map((name) => Buffer.from(secret!.data[name]!, "base64").toString("utf8"));
  const needles = [key.privateKey, ...shellKeys].flatMap((pem) => [...pem.split("\n").filter((line) => line && !line.startsWith("-----")), Buffer.from(pem.trim()).toString("base64").slice(0, 40)]);
  t.true(needles.length > 6);
  const list = async (apiVersion: string, kind: string) => JSON.stringify((await client.list({ apiVersion, kind }, { namespace: ns })).items);
  const places: Record<string, string> = {
    shells: await list(ENVIRONMENT_SHELL.apiVersion, ENVIRONMENT_SHELL.kind),
    deployments: await list("apps/v1", "Deployment"),
    pods: await list("v1", "Pod"),
    events: (await list("v1", "Event")) + (await list("events.k8s.io/v1", "Event")),
    "shell log": await podLog(tb.kubeConfig, ns, shellPod.metadata.name!),
    "server log": await podLog(tb.kubeConfig, ns, server.metadata.name!),
  };
  for (const [where, text] of Object.entries(places)) t.false(needles.some((needle) => text.includes(needle)), `key material in ${where}`);

  await client.delete({ ...SESSION, namespace: ns, name: "demo" });
  await eventually("the shell, its sshd and its pod to be gone", async () => {
    const left = await Promise.all([
      client.get({ ...ENVIRONMENT_SHELL, namespace: ns, name: "python" }),
      client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: shellName(shell) }),
      client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: shellName(shell) }),
      client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: shellPod.metadata.name! }),
    ]);
    return left.every((object) => object === undefined) || undefined;
  }, 120_000, 250);
  t.pass();
});
