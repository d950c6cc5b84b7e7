import anyTest, { type TestFn } from "ava";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Session } from "../../crds/types/index.js";
import { Manager, silentLogger, type KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { createTestNamespace, eventually, type Testbed } from "../../testbed/index.js";
import { ON_REAL_NODES, podLog, realNodesHere } from "../../testbed/pods.js";
import { AddressPolicy, addEventDeliveryController, DeliveryClient, transitionEventId } from "../events/index.js";
import { startReceiver, type LoopbackReceiver } from "../events/loopback-receiver.js";
import { createWebhook, header, outboxFor } from "../events/test-support.js";
import type { SshKeyPair } from "../git/testing.js";
import { hostUserdir, type HostUserdir } from "../testing/host-userdir.js";
import { serverName } from "./jupyter-server.js";
import { addSessionController, SESSION } from "./session-controller.js";
import { recordSessionEvents } from "./session-event.js";
import { execIn, sessionFixture } from "./testing.js";

// Sessions whose Jupyter server really runs, on the test bed's real nodes (the namespace sends every pod there),
// from this project's jupyter-server image in the test bed's registry, on a user directory of the host; their
// events go through the outbox to a loopback webhook. Skipped where the run has no real nodes with the images.
const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;

const PROJECT = "5d0a4f6e-1b2c-4d3e-8f9a-0b1c2d3e4f5a";
const PIPELINE = "7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
const USER = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d";
// Shell syntax in every position a shell would act on.
const NAME = `$(touch /project-dir/pwned) x"; touch /project-dir/pwned-too #`;
const FILES = { "projects/demo/main.orchest": '{"name": "main", "steps": {}}\n', "projects/demo/load.py": "print('load')\n" };

let tb: Testbed;
let client: KubeClient;
let api: SessionApi;
let hooks: LoopbackReceiver;
let ns: string;
let userdir: HostUserdir;
let key: SshKeyPair;

anyTest.before(async () => {
  if (!realNodesHere()) return;
  ({ tb, ns, client, userdir, key } = await sessionFixture("sessions", FILES, { uuid: USER, name: NAME }));
  api = await startSessionApi(ns, 600);
  hooks = api.hooks;
});

anyTest.after.always(async () => {
  await api?.stop();
  await userdir?.remove();
  client?.close();
});

interface SessionApi {
  readonly hooks: LoopbackReceiver;
  stop(): Promise<void>;
}

/** The api's session and delivery controllers for `namespace`, its session events to a loopback webhook. */
async function startSessionApi(namespace: string, launchDeadlineSeconds: number): Promise<SessionApi> {
  const receiver = await startReceiver(() => ({ status: 204 }));
  await createWebhook(client, namespace, "sessions", receiver.url, { eventTypes: ["project:pipeline:interactive-session:*"] });
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: `orchest-api-${namespace}`, logger: silentLogger });
  const http = new DeliveryClient({ addressPolicy: new AddressPolicy(["127.0.0.0/8"]), timeoutMs: 5_000, maxSocketsPerEndpoint: 4 });
  const deliveries = addEventDeliveryController(manager, {
    namespace,
    http,
    retryPolicy: { scheduleMs: [100, 200], maxAttempts: 10, jitter: 0.2, maxRetryAfterMs: 1000 },
    retentionMs: 600_000,
    maxInFlightPerEndpoint: 4,
  });
  addSessionController(manager, { namespace, jupyterImage: tb.images["jupyter-server"]!, launchDeadlineSeconds, ingress: { className: "nginx", host: "orchest.example.com" }, onTransition: recordSessionEvents(outboxFor(client, namespace)) });
  await manager.start();
  return {
    hooks: receiver,
    async stop() {
      await deliveries.stop();
      await manager.stop();
      http.close();
      await receiver.close();
    },
  };
}

const getSession = async (name: string, namespace = ns) => (await client.get({ ...SESSION, namespace, name })) as unknown as Session | undefined;

/** Creates a session of the demo project and waits until it is `phase` (a cold pull of the image takes a while). */
async function startSession(name: string, spec: Partial<Session["spec"]> = {}, phase = "Running", namespace = ns): Promise<Session> {
  await client.create({
    ...SESSION,
    metadata: { name, namespace },
    spec: { project: PROJECT, projectName: "demo", pipeline: { uuid: PIPELINE, path: "main.orchest", name: "main" }, userdir: { claimName: "userdir-pvc", projectDir: "projects/demo" }, ...spec },
  } as KubeObject);
  return eventually(`Session ${name} to be ${phase}`, async () => {
    const session = await getSession(name, namespace);
    return session?.status?.phase === phase || session?.status?.phase === "Failed" ? session : undefined;
  }, 240_000, 250);
}

/** The server's pod: the one pod of its Deployment. */
async function serverPod(session: Session): Promise<KubeObject> {
  const pods = (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: ns, labelSelector: `orchest.io/session-uid=${session.metadata!.uid}` })).items;
  return pods.find((pod) => !pod.metadata.deletionTimestamp)!;
}

const exec = (pod: KubeObject, command: string[]) => execIn(tb, pod, command, "jupyter-server");

// Inside the server's pod: the REST API on the server's own port, a kernel started and restarted (the restart
// answers only once the new kernel replied over ZMQ), and that kernel process's own environment.
const CLIENT = `
import json, os, sys, urllib.request
base = "http://127.0.0.1:8888/" + sys.argv[1] + "/api/"
def call(method, path):
    request = urllib.request.Request(base + path, method=method, data=b"{}" if method == "POST" else None, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read() or b"null")
_, listing = call("GET", "contents")
_, kernel = call("POST", "kernels")
restarted, _ = call("POST", "kernels/" + kernel["id"] + "/restart")
environ = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if b"ipykernel" in open("/proc/" + pid + "/cmdline", "rb").read():
            environ = dict(line.split("=", 1) for line in open("/proc/" + pid + "/environ").read().split("\\0") if "=" in line)
    except OSError:
        pass
print(json.dumps({"files": sorted(item["name"] for item in listing["content"]), "restarted": restarted, "env": {k: v for k, v in environ.items() if k.startswith("ORCHEST_")}}))
`;

test("a session's Jupyter server runs on a real node on the project directory: its REST API lists the project, a kernel starts with the session's variables, it gets Orchest's Ingress; deleting the session collects them; started, succeeded and stopped reach the webhook once each, in order", async (t) => {
  const session = await startSession("demo");
  const name = serverName(session);
  t.is(session.status?.url, `http://${name}.${ns}.svc:80/${name}/`);
  const pod = await serverPod(session);
  const node = (pod.spec as { nodeName?: string }).nodeName;
  t.true(tb.nodes.some((n) => n.name === node && n.real), `on a real node: ${node}`);

  const answer = await exec(pod, ["python3", "-c", CLIENT, name]);
  t.is(answer.code, 0, answer.stderr);
  const seen = JSON.parse(answer.stdout) as { files: string[]; restarted: number; env: Record<string, string> };
  t.deepEqual(seen.files, ["load.py", "main.orchest"]);
  t.is(seen.restarted, 200, "the kernel answered");
  t.deepEqual(seen.env, {
    ORCHEST_PROJECT_UUID: PROJECT,
    ORCHEST_PIPELINE_UUID: PIPELINE,
    ORCHEST_PIPELINE_PATH: "/pipeline.json",
    ORCHEST_PROJECT_DIR: "/project-dir",
    ORCHEST_SESSION_PIPELINE_PATH: "main.orchest",
    ORCHEST_SESSION_UUID: session.metadata!.uid!,
    ORCHEST_SESSION_TYPE: "interactive",
  });
  t.is((await exec(pod, ["cat", "/pipeline.json"])).stdout, FILES["projects/demo/main.orchest"]);
  // Orchest's route to the server (no ingress controller runs here: the object is what Orchest created).
  const ingress = (await client.get({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: ns, name })) as { spec: unknown; metadata: { ownerReferences?: { uid: string }[] } } | undefined;
  t.deepEqual(ingress?.spec, { ingressClassName: "nginx", rules: [{ host: "orchest.example.com", http: { paths: [{ path: `/${name}`, pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] } }] });
  t.is(ingress?.metadata.ownerReferences?.[0]?.uid, session.metadata!.uid);

  await client.delete({ ...SESSION, namespace: ns, name: "demo" });
  await eventually("the session, its server and its pod to be gone", async () => {
    const left = await Promise.all([
      getSession("demo"),
      client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name }),
      client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name }),
      client.get({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: ns, name }),
      client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: pod.metadata.name! }),
    ]);
    return left.every((object) => object === undefined) || undefined;
  }, 120_000, 250);
  const uid = session.metadata!.uid!;
  const received = await eventually("three deliveries", () => (hooks.received.length >= 3 ? hooks.received : undefined), 60_000, 100);
  t.deepEqual(received.map((request) => header(request, "webhook-id")), ["started", "succeeded", "stopped"].map((transition) => transitionEventId(uid, transition)));
  t.deepEqual(received.map((request) => (JSON.parse(request.body) as { type: string }).type), ["started", "succeeded", "stopped"].map((transition) => `project:pipeline:interactive-session:${transition}`));
});

test("with an auth user the server's git has the user's name, shell syntax and all, and its ssh-agent holds the user's key; without one it has neither; no key material in sessions, pods, Events or the server's log", async (t) => {
  const withUser = await serverPod(await startSession("with-user", { authUser: USER }));
  const name = await exec(withUser, ["git", "config", "user.name"]);
  t.is(name.code, 0, name.stderr);
  t.is(name.stdout, `${NAME}\n`);
  const agent = await exec(withUser, ["ssh-add", "-L"]);
  t.is(agent.code, 0, agent.stderr);
  t.is(agent.stdout.trim().split(" ").slice(0, 2).join(" "), key.publicKey, "the agent lists the user's key");

  const without = await serverPod(await startSession("without-user"));
  t.is((await exec(without, ["git", "config", "user.name"])).code, 1, "no user name");
  t.not((await exec(without, ["ssh-add", "-L"])).code, 0, "no agent");
  t.deepEqual(readdirSync(join(userdir.path, "projects", "demo")).sort(), ["load.py", "main.orchest"], "nothing a shell made");

  const body = key.privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
  const needles = [...body, Buffer.from(key.privateKey.trim()).toString("base64").slice(0, 40)];
  const list = async (apiVersion: string, kind: string) => JSON.stringify((await client.list({ apiVersion, kind }, { namespace: ns })).items);
  const places: Record<string, string> = {
    sessions: await list(SESSION.apiVersion, SESSION.kind),
    deployments: await list("apps/v1", "Deployment"),
    pods: await list("v1", "Pod"),
    events: (await list("v1", "Event")) + (await list("events.k8s.io/v1", "Event")),
    "server log": await podLog(tb.kubeConfig, ns, withUser.metadata.name!),
  };
  for (const [where, text] of Object.entries(places)) t.false(needles.some((needle) => text.includes(needle)), `key material in ${where}`);
});

test("a session whose server cannot start fails at its launch deadline with the kubelet's reason; started, failed, then stopped reach the webhook", async (t) => {
  const failing = await createTestNamespace(tb.kubeConfig, "sessions-fail", ON_REAL_NODES);
  const failingUserdir = await hostUserdir(client, failing);
  const short = await startSessionApi(failing, 20);
  t.teardown(async () => {
    await short.stop();
    await failingUserdir.remove();
  });
  // An image nobody pushed: every pull is refused, the Deployment never progresses.
  const image = tb.images["jupyter-server"]!.replace(/\/jupyter-server:[^@]+@sha256:[a-f0-9]+$/, "/not-pushed:1");
  const session = await startSession("no-image", { image }, "Failed", failing);
  t.is(session.status?.phase, "Failed");
  t.regex(session.status?.message ?? "", /ErrImagePull|ImagePullBackOff/);
  await client.delete({ ...SESSION, namespace: failing, name: "no-image" });
  const received = await eventually("three deliveries", () => (short.hooks.received.length >= 3 ? short.hooks.received : undefined), 60_000, 100);
  t.deepEqual(received.map((request) => (JSON.parse(request.body) as { type: string }).type), ["started", "failed", "stopped"].map((transition) => `project:pipeline:interactive-session:${transition}`));
});
