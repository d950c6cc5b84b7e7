// The docker driver against the real dockerd of the test bed's docker node (Debian's docker.io 20.10, on the
// node's own containerd) and the test bed's real registry: nothing here is faked.
import anyTest, { type TestFn } from "ava";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeOciLayout } from "../../images/oci-layout.js";
import { request } from "node:http";
import { ensureBinaries } from "../../testbed/binaries.js";
import { run } from "../../testbed/command.js";
import { useTestbed } from "../../testbed/index.js";
import { realNodesHere } from "../../testbed/pods.js";
import { RegistryClient } from "../registry/client.js";
import { PlatformMismatchError } from "../registry/errors.js";
import { parseReference } from "../registry/reference.js";
import { uploadForeignPlatformImage } from "../registry/testing.js";
import { DockerDriver, pinLabel } from "./docker-driver.js";
import { DockerEngineError } from "./docker-engine.js";

const test = (realNodesHere() ? anyTest : anyTest.skip) as TestFn;

/**
 * An image of this test's own (one layer of random bytes, so no other test shares its layers or ID), pushed to a
 * repository of its own in the test bed's registry.
 */
async function setup(t: { teardown(fn: () => void): void }) {
  const tb = await useTestbed();
  const node = tb.nodes.find((n) => n.real && n.runtime === "docker")!;
  const driver = new DockerDriver(node.dockerSocket!);
  t.teardown(() => driver.close());
  const registry = new RegistryClient({ plainHttp: (host) => host === tb.registry!.host });
  const repository = `${tb.registry!.host}/docker-driver/image-${randomBytes(3).toString("hex")}`;
  const work = mkdtempSync(join(tmpdir(), "docker-driver-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(work, "rootfs"));
  writeFileSync(join(work, "rootfs", "data.bin"), randomBytes(4096));
  const layout = await writeOciLayout(join(work, "layout"), { reference: `${repository}:v1`, layers: [join(work, "rootfs")], config: { cmd: ["/data.bin"] } });
  const crane = (await ensureBinaries(() => undefined)).crane!;
  await run(crane, ["push", "--insecure", layout.dir, `${repository}:v1`]);
  const engine: Engine = (method, path, body) => engineCall(node.dockerSocket!, method, path, body);
  return { tb, driver, registry, repository, digest: layout.digest, engine };
}

type Engine = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown; text: string }>;

/** A raw Engine API call, to see what the daemon itself holds. A Buffer body goes as a tar (a build context). */
function engineCall(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const tar = Buffer.isBuffer(body);
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": tar ? "application/x-tar" : "application/json" };
    const req = request({ socketPath: socket, method, path: `/v1.41${path}`, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // A stream of messages (build progress), read from text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : tar ? body : JSON.stringify(body));
  });
}

/** Builds with the engine's classic builder (POST /build); returns the built image's ID. */
async function engineBuild(engine: Engine, tag: string, dockerfile: string, files: Record<string, Buffer>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "docker-context-"));
  try {
    writeFileSync(join(dir, "Dockerfile"), dockerfile);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const context = execFileSync("tar", ["-C", dir, "-cf", "-", "."]);
    const reply = await engine("POST", `/build?t=${encodeURIComponent(tag)}`, context);
    const id = /"aux":\{"ID":"(sha256:[a-f0-9]{64})"\}/.exec(reply.text)?.[1];
    if (reply.status !== 200 || !id) throw new Error(`docker build failed: HTTP ${reply.status}: ${reply.text.slice(-500)}`);
    return id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("pulls by tag and by digest, then lists and inspects the image with its tag and manifest digest", async (t) => {
  const { driver, repository, digest } = await setup(t);
  const pulled = await driver.pull(`${repository}:v1`);
  t.deepEqual(pulled.digests, [digest], "the manifest digest, from the engine's RepoDigests");
  t.true(pulled.tags.includes(`${repository}:v1`));
  t.false(pulled.pinned);
  const byDigest = await driver.pull(`${repository}@${digest}`);
  t.is(byDigest.id, pulled.id, "the same image");

  const listed = (await driver.list()).find((image) => image.id === pulled.id);
  t.truthy(listed);
  t.true(listed!.tags.includes(`${repository}:v1`));
  t.is((await driver.inspect(`${repository}:v1`))?.id, pulled.id, "by name");
  t.is((await driver.inspect(digest))?.id, pulled.id, "by manifest digest");
  t.is(await driver.inspect(`${repository}:absent`), undefined, "404 is absence");
});

test("a pull of an image for another platform is a PlatformMismatchError; a missing one the engine's own refusal", async (t) => {
  const { tb, driver, registry, repository } = await setup(t);
  const foreign = await uploadForeignPlatformImage(registry, tb.registry!.host);
  await t.throwsAsync(driver.pull(foreign), { instanceOf: PlatformMismatchError });
  const missing = await t.throwsAsync(driver.pull(`${repository}:never-pushed`), { instanceOf: DockerEngineError });
  t.regex(missing!.message, new RegExp(`refused to pull ${repository.replace(/[.]/g, "\\.")}:never-pushed: .*(not found|unknown)`));
});

test("pushes under a new name: the engine tags, pushes and reports the digest; pushes that send no blob count them skipped", async (t) => {
  const { driver, registry, repository, engine } = await setup(t);
  await driver.pull(`${repository}:v1`);
  // An image only the engine has: its classic builder adds a layer of new bytes on top of the pulled one.
  const extra = randomBytes(8192);
  const local = `local-${randomBytes(3).toString("hex")}:built`;
  const built = await engineBuild(engine, local, `FROM ${repository}:v1\nCOPY extra.bin /extra.bin\n`, { "extra.bin": extra });
  t.deepEqual((await driver.inspect(built))?.tags, [`docker.io/library/${local}`], "a short name is listed canonical");
  t.deepEqual((await driver.inspect(built))?.digests, [], "no manifest digest before a push");
  const first = await driver.push(built, `${repository}:v2`);
  t.is(first.blobsUploaded, 1, "the new layer went up");
  t.true(first.blobsSkipped >= 1, "the base layer was there");
  t.true(first.bytesUploaded >= extra.length);
  t.is((await registry.getManifest(parseReference(`${repository}:v2`))).digest, first.digest, "the registry serves what the engine reported");

  const again = await driver.push(built, `${repository}:v3`);
  t.is(again.blobsUploaded, 0, "nothing is sent twice");
  t.is(again.digest, first.digest);

  // Another repository of the same registry: the engine mounts the layer across repositories instead of sending it.
  const elsewhere = await driver.push(built, `${repository}-mirror:v1`);
  t.is(elsewhere.blobsUploaded, 0, "a cross-repository mount sends no bytes");
  t.true(elsewhere.blobsSkipped >= 1, "and counts as skipped");
  t.is(elsewhere.bytesUploaded, 0);
});

test("pins with a created, never started holder container that the engine keeps, and unpins by deleting it", async (t) => {
  const { driver, repository, engine } = await setup(t);
  const image = await driver.pull(`${repository}:v1`);
  await driver.pin(`${repository}:v1`);
  await driver.pin(`${repository}:v1`);
  t.true((await driver.inspect(`${repository}:v1`))!.pinned);
  const holders = (await engine("GET", `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [pinLabel] }))}`)).body as { ImageID: string; State: string }[];
  const mine = holders.filter((c) => c.ImageID === image.id);
  t.is(mine.length, 1, "pinning twice makes one holder");
  t.is(mine[0]!.State, "created", "never started");

  await driver.unpin(`${repository}:v1`);
  t.false((await driver.inspect(`${repository}:v1`))!.pinned);
});

test("removes a pinned image with all its names, without force; removing it again is fine", async (t) => {
  const { driver, repository, engine } = await setup(t);
  const image = await driver.pull(`${repository}:v1`);
  await driver.pin(image.id);
  await driver.remove(image.id);
  t.is(await driver.inspect(image.id), undefined);
  t.is((await engine("GET", `/images/${image.id}/json`)).status, 404, "the engine no longer has it");
  await t.notThrowsAsync(driver.remove(image.id));
});

test("reports a refusal with the engine's own message", async (t) => {
  const { driver, repository, engine } = await setup(t);
  const image = await driver.pull(`${repository}:v1`);
  // A container that uses the image: the engine refuses to delete the image without force.
  const created = (await engine("POST", "/containers/create", { Image: image.id, Cmd: ["true"] })).body as { Id: string };
  t.teardown(() => engine("DELETE", `/containers/${created.Id}?force=true`));
  const error = await t.throwsAsync(driver.remove(image.id), { instanceOf: DockerEngineError });
  t.regex(error!.message, /docker engine refused to remove .*: HTTP 409: .*(must force|being used|is using)/);
});
