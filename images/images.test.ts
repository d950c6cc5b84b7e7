import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { projectImages } from "../synth/project-images.js";
import { run } from "../testbed/command.js";
import { freePort } from "../testbed/ports.js";
import { buildImages, REPO_ROOT, stageImage } from "./build.js";
import { APP_DIR, ENTRYPOINTS, IMAGES } from "./definitions.js";
import { listTree, Rootfs } from "./rootfs.js";

test("the same inputs give the same digests: a rebuild without the layer cache matches", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "images-"));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const cached = await buildImages({ outDir: join(out, "a") });
  const fresh = await buildImages({ outDir: join(out, "b"), layerCache: false });
  t.deepEqual(
    fresh.map((image) => [image.name, image.digest]),
    cached.map((image) => [image.name, image.digest]),
  );
  t.deepEqual(cached.map((image) => image.name), IMAGES.map((image) => image.name));
});

test("every image of a release that the operator and the api deploy is one that `npm run images` builds", (t) => {
  const names = Object.values(projectImages("prefix", "tag")).map((reference) => reference.slice("prefix/".length, -":tag".length));
  t.deepEqual(names.filter((name) => !IMAGES.some((image) => image.name === name)), []);
  t.true(names.includes("jupyter-server"));
});

/** The final stage's instructions, and the shell of the stage that assembles /rootfs. */
function dockerfile() {
  const text = readFileSync(join(REPO_ROOT, "images", "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const final = text.slice(text.lastIndexOf("FROM scratch"));
  const instruction = (name: string) => new RegExp(`^${name} (.*)$`, "m").exec(final)?.[1];
  return { text, user: instruction("USER"), env: instruction("ENV")?.split(" "), workdir: instruction("WORKDIR"), cmd: JSON.parse(instruction("CMD") ?? "null") };
}

test("images/Dockerfile builds what definitions.ts stages: the same user, environment, entrypoints and files", async (t) => {
  const project = IMAGES.find((image) => image.name === "orchest-gitops")!;
  const docker = dockerfile();
  t.is(docker.user, project.config.user);
  t.deepEqual(docker.env, project.config.env);
  t.is(docker.workdir, project.config.workingDir);
  t.deepEqual(docker.cmd, project.config.cmd);
  for (const [command, script] of Object.entries(ENTRYPOINTS)) {
    const [, folder] = /^lib\/(\w+)\/main\.js$/.exec(script)!;
    t.true(docker.text.includes(`${command}:${folder}`), `the Dockerfile links ${command} to ${script}`);
  }
  const users = new Rootfs(mkdtempSync(join(tmpdir(), "users-"))).users();
  t.teardown(() => rmSync(users.dir, { recursive: true, force: true }));
  for (const file of ["etc/passwd", "etc/group"]) {
    const printed = readFileSync(join(users.dir, file), "utf8").replace(/\n/g, "\\n");
    t.true(docker.text.includes(`printf '${printed}' > $R/${file}`), `the Dockerfile writes the same /${file}`);
  }

  const staged = await stageImage("orchest-gitops", mkdtempSync(join(tmpdir(), "staged-")));
  t.teardown(() => rmSync(staged.dir, { recursive: true, force: true }));
  const tree = listTree(staged.dir);
  const app = tree.filter((path) => path.startsWith(APP_DIR.slice(1)) && path.split("/").length === 2);
  t.deepEqual(app, ["app/agent", "app/crds", "app/lib", "app/node_modules", "app/package.json"]);
  for (const path of ["usr/local/bin/node", "usr/bin/env", "etc/ssl/certs/ca-certificates.crt", "tmp", ...Object.keys(ENTRYPOINTS).map((c) => `usr/local/bin/${c}`)]) {
    t.true(tree.includes(path), `both stage /${path}`);
  }
  t.false(tree.some((path) => /^app\/lib\/(testbed|bench|images)\//.test(path) || (path.startsWith("app/lib/") && path.endsWith(".test.js"))), "no test bed, benchmarks or tests in the image");
});

/** Why a staged image cannot be run here with chroot in a mount namespace of its own, or undefined when it can. */
function chrootUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "chroot and mount need root";
  const unshare = spawnSync("unshare", ["--mount", "true"], { encoding: "utf8" });
  if (unshare.status !== 0) return `unshare --mount fails: ${unshare.stderr.trim() || unshare.error?.message}`;
  return undefined;
}
const chrootReason = chrootUnavailable();
if (chrootReason) process.stdout.write(`skipped where a test runs an image's files with chroot: ${chrootReason}\n`);
const withChroot: typeof test.skip = chrootReason ? test.skip : test;

/**
 * `command` run in the staged image as a container would run it: chrooted, with the image's environment only, and
 * /dev and /proc mounted in a private mount namespace (which ends with its last process, mounts and all).
 */
function inImage(dir: string, env: readonly string[], command: readonly string[]): [string, string[]] {
  const script = 'mount --rbind /dev "$0/dev" && mount -t proc proc "$0/proc" && exec env -i "$@"';
  return ["unshare", ["--mount", "--propagation", "private", "sh", "-c", script, dir, ...env, "/usr/sbin/chroot", dir, ...command]];
}

// A client of the kernel's websocket (the image's websocket-client): runs a line of code, prints what it printed.
const KERNEL_CLIENT = `
import json, sys, uuid, websocket
ws = websocket.create_connection(sys.argv[1], timeout=60)
request = uuid.uuid4().hex
ws.send(json.dumps({"channel": "shell", "header": {"msg_id": request, "msg_type": "execute_request", "username": "", "session": uuid.uuid4().hex, "version": "5.3"}, "parent_header": {}, "metadata": {}, "content": {"code": sys.argv[2], "silent": False}}))
while True:
    message = json.loads(ws.recv())
    if message["parent_header"].get("msg_id") == request and message["msg_type"] == "stream":
        print(message["content"]["text"], end="")
        break
`;

withChroot("the jupyter-server image runs a Jupyter server whose Python kernel runs code, and an ssh-agent that takes a key through stdin", async (t) => {
  const image = IMAGES.find((i) => i.name === "jupyter-server")!;
  const root = await stageImage(image.name, mkdtempSync(join(tmpdir(), "jupyter-server-")));
  t.teardown(() => rmSync(root.dir, { recursive: true, force: true }));
  t.deepEqual(listTree(root.dir).filter((path) => path.endsWith(".pyc")), [], "no Python compiled on this machine");
  // Where the container runtime mounts them.
  root.mkdir("dev").mkdir("proc");
  const env = image.config.env!;
  const inside = (...command: string[]) => run(...inImage(root.dir, env, command));

  t.regex(await inside("python3", "-c", "import jupyter_server, ipykernel; print(jupyter_server.__version__, ipykernel.__version__)"), /^1\.23\.\d+ 6\.17\.\d+$/);
  t.regex(await inside(...image.config.cmd!), /^1\.23\.\d+$/);
  t.regex(await inside("git", "--version"), /^git version 2\./);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "session-key", "-f", join(root.dir, "tmp/key")]);
  // As a session's start script: an agent in the background, a key through stdin; here the agent is stopped after.
  t.regex(await inside("sh", "-c", 'eval "$(ssh-agent -s)" >/dev/null; ssh-add - < /tmp/key 2>/dev/null; ssh-add -l; kill "$SSH_AGENT_PID"'), /session-key \(ED25519\)/);

  const port = await freePort();
  const server = spawn(
    ...inImage(root.dir, env, ["jupyter-server", "--ServerApp.ip=127.0.0.1", `--ServerApp.port=${port}`, "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.allow_root=True", "--no-browser", "--ServerApp.base_url=/x/"]),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const log: string[] = [];
  server.stderr.on("data", (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
  t.teardown(async () => {
    server.kill("SIGTERM");
    await exited;
  });
  const api = `http://127.0.0.1:${port}/x/api`;
  let version: { version?: string } | undefined;
  while (!version && server.exitCode === null) {
    version = await fetch(api)
      .then((r) => r.json() as Promise<{ version: string }>)
      .catch(() => delay(200));
  }
  t.truthy(version, `the server exited: ${log.join("")}`);
  t.regex(version!.version!, /^1\.23\.\d+$/);
  t.is(((await (await fetch(`${api}/contents`)).json()) as { type: string }).type, "directory");

  // The server checks that a POST's XSRF header matches its cookie, whatever the values.
  const xsrf = { "X-XSRFToken": "test", Cookie: "_xsrf=test" };
  const started = await fetch(`${api}/kernels`, { method: "POST", headers: xsrf, body: JSON.stringify({ name: "python3" }) });
  t.is(started.status, 201);
  const { id } = (await started.json()) as { id: string };
  t.is(await inside("python3", "-c", KERNEL_CLIENT, `ws://127.0.0.1:${port}/x/api/kernels/${id}/channels`, "import sys; print(6 * 7, sys.executable)"), "42 /usr/bin/python3");
  t.is(((await (await fetch(`${api}/kernels/${id}`)).json()) as { execution_state: string }).execution_state, "idle");
  t.is((await fetch(`${api}/kernels/${id}`, { method: "DELETE", headers: xsrf })).status, 204);
  t.deepEqual(await (await fetch(`${api}/kernels`)).json(), []);
});
