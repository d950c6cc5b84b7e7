import test from "ava";
import { readFileSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
