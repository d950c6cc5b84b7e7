/**
 * CONTRACT TEST ONLY. No Docker engine can be had on this machine, so these tests run the docker driver against
 * a tiny fake engine on a unix socket that records requests and answers with the reply shapes the Docker Engine
 * API v1.41 documents (docs.docker.com/engine/api/v1.41). They check the requests the driver sends and how it
 * reads documented replies; they do not prove the driver against a real dockerd. (The Kubernetes API is never
 * faked; only the engine is, for want of a real one.)
 */
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlatformMismatchError } from "../registry/errors.js";
import { DockerDriver, pinLabel } from "./docker-driver.js";
import { DockerEngineError } from "./docker-engine.js";

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

type Reply = { status?: number; json?: unknown; stream?: unknown[] };

/** Starts the fake engine; `answer` maps "METHOD /path" (without the version prefix) to a documented reply. */
async function fakeEngine(t: { teardown(fn: () => void): void }, answer: (req: Recorded) => Reply | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "fake-docker-"));
  const socket = join(dir, "docker.sock");
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://docker");
      const raw = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = {
        method: req.method!,
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      };
      requests.push(recorded);
      const reply = answer({ ...recorded, path: recorded.path.replace(/^\/v1\.41/, "") }) ?? { status: 404, json: { message: "No such image" } };
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(reply.stream ? reply.stream.map((m) => `${JSON.stringify(m)}\r\n`).join("") : reply.json === undefined ? "" : JSON.stringify(reply.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { driver: new DockerDriver(socket), requests };
}

const id = `sha256:${"1".repeat(64)}`;
const manifestDigest = `sha256:${"2".repeat(64)}`;
const builtImage = { Id: id, RepoTags: ["127.0.0.1:5000/t/hello:v1", "hello:latest"], RepoDigests: [`127.0.0.1:5000/t/hello@${manifestDigest}`], Size: 1234 };
const noPins = { status: 200, json: [] };

test("lists images with canonical tags, manifest digests from RepoDigests and pins from holder containers", async (t) => {
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.method === "GET" && req.path === "/images/json") return { json: [builtImage, { Id: `sha256:${"3".repeat(64)}`, RepoTags: ["<none>:<none>"], RepoDigests: null, Size: 1 }] };
    if (req.method === "GET" && req.path === "/containers/json") return { json: [{ Id: "c1", ImageID: id, Labels: { [pinLabel]: id } }] };
    return undefined;
  });
  const images = await driver.list();
  t.deepEqual(images[0], { id, digests: [manifestDigest], tags: ["127.0.0.1:5000/t/hello:v1", "docker.io/library/hello:latest"], size: 1234, pinned: true });
  t.deepEqual(images[1]!.tags, [], "dangling images have no tags");
  t.false(images[1]!.pinned);
  const holders = requests.find((r) => r.path === "/v1.41/containers/json")!;
  t.deepEqual(holders.query, { all: "true", filters: JSON.stringify({ label: [pinLabel] }) });
});

test("inspects by name with GET /images/{name}/json and by manifest digest through the list; 404 is absence", async (t) => {
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.path === "/images/127.0.0.1:5000/t/hello:v1/json") return { json: builtImage };
    if (req.path === "/images/json") return { json: [builtImage] };
    if (req.path === "/containers/json") return noPins;
    return undefined;
  });
  t.is((await driver.inspect("127.0.0.1:5000/t/hello:v1"))?.id, id);
  t.is((await driver.inspect(manifestDigest))?.id, id);
  t.is(await driver.inspect("127.0.0.1:5000/t/absent:v1"), undefined);
  t.true(requests.some((r) => r.path === "/v1.41/images/127.0.0.1:5000/t/absent:v1/json"));
});

test("pulls with POST /images/create?fromImage=&tag= (the digest when the reference pins one)", async (t) => {
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.method === "POST" && req.path === "/images/create") return { stream: [{ status: "Pulling from t/hello", id: "v1" }, { status: `Digest: ${manifestDigest}` }] };
    if (req.path.endsWith("/json") && req.path.startsWith("/images/127.0.0.1:5000/t/hello")) return { json: builtImage };
    if (req.path === "/containers/json") return noPins;
    return undefined;
  });
  const pulled = await driver.pull("127.0.0.1:5000/t/hello:v1");
  t.deepEqual(pulled.digests, [manifestDigest]);
  await driver.pull(`127.0.0.1:5000/t/hello@${manifestDigest}`);
  const creates = requests.filter((r) => r.path === "/v1.41/images/create");
  t.deepEqual(creates.map((r) => [r.method, r.query]), [
    ["POST", { fromImage: "127.0.0.1:5000/t/hello", tag: "v1" }],
    ["POST", { fromImage: "127.0.0.1:5000/t/hello", tag: manifestDigest }],
  ]);
});

test("turns the engine's in-band pull errors into clear errors: another platform, a refusing registry", async (t) => {
  const { driver } = await fakeEngine(t, (req) => {
    if (req.path !== "/images/create") return undefined;
    const message = req.query.fromImage!.endsWith("s390x-only")
      ? "no matching manifest for linux/amd64 in the manifest list entries"
      : "Head \"https://reg.example/v2/t/app/manifests/v1\": denied: requested access to the resource is denied";
    // The engine answers 200 and reports the failure inside the progress stream.
    return { stream: [{ status: "Pulling" }, { errorDetail: { message }, error: message }] };
  });
  await t.throwsAsync(driver.pull("reg.example/t/s390x-only:v1"), { instanceOf: PlatformMismatchError });
  const refused = await t.throwsAsync(driver.pull("reg.example/t/app:v1"), { instanceOf: DockerEngineError });
  t.regex(refused!.message, /refused to pull reg\.example\/t\/app:v1: .*denied/);
});

test("pushes by tagging the image with the target name, then POST /images/{name}/push?tag= with X-Registry-Auth, reading the digest from aux", async (t) => {
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.path === "/images/json") return { json: [builtImage] };
    if (req.path === "/containers/json") return noPins;
    if (req.method === "POST" && req.path === `/images/${id}/tag`) return { status: 201 };
    if (req.method === "POST" && req.path === "/images/reg.example/t/hello/push")
      return {
        stream: [
          { status: "The push refers to repository [reg.example/t/hello]" },
          { status: "Preparing", progressDetail: {}, id: "aaa" },
          { status: "Pushing", progressDetail: { current: 500, total: 1000 }, id: "aaa" },
          { status: "Pushed", progressDetail: {}, id: "aaa" },
          { status: "Layer already exists", progressDetail: {}, id: "bbb" },
          { status: `v2: digest: ${manifestDigest} size: 528` },
          { progressDetail: {}, aux: { Tag: "v2", Digest: manifestDigest, Size: 528 } },
        ],
      };
    return undefined;
  });
  const result = await driver.push(manifestDigest, "reg.example/t/hello:v2");
  t.deepEqual(result, { digest: manifestDigest, blobsUploaded: 1, blobsSkipped: 1, bytesUploaded: 1000 });
  const tag = requests.find((r) => r.path.endsWith("/tag"))!;
  t.deepEqual(tag.query, { repo: "reg.example/t/hello", tag: "v2" });
  const push = requests.find((r) => r.path.endsWith("/push"))!;
  t.deepEqual(push.query, { tag: "v2" });
  t.is(Buffer.from(String(push.headers["x-registry-auth"]), "base64").toString(), "{}");
});

test("pins with a created, never started holder container and unpins by deleting it", async (t) => {
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.path === "/images/127.0.0.1:5000/t/hello:v1/json") return { json: builtImage };
    if (req.path === "/containers/json") return noPins;
    if (req.method === "POST" && req.path === "/containers/create") return requests.filter((r) => r.path.endsWith("/containers/create")).length > 1 ? { status: 409, json: { message: "Conflict. The container name is already in use" } } : { status: 201, json: { Id: "c1", Warnings: [] } };
    if (req.method === "DELETE" && req.path === "/containers/orchest-pin-111111111111") return { status: 204 };
    return undefined;
  });
  await driver.pin("127.0.0.1:5000/t/hello:v1");
  await driver.pin("127.0.0.1:5000/t/hello:v1");
  const create = requests.find((r) => r.path === "/v1.41/containers/create")!;
  t.deepEqual(create.query, { name: "orchest-pin-111111111111" });
  t.like(create.body as object, { Image: id, Labels: { [pinLabel]: id } });
  t.is(create.headers["content-type"], "application/json");

  await driver.unpin("127.0.0.1:5000/t/hello:v1");
  const remove = requests.find((r) => r.method === "DELETE")!;
  t.deepEqual([remove.path, remove.query], ["/v1.41/containers/orchest-pin-111111111111", { force: "true" }]);
});

test("removes the pin holder, then every name of the image, then the image, without force", async (t) => {
  let gone = false;
  const { driver, requests } = await fakeEngine(t, (req) => {
    if (req.method === "GET" && req.path === `/images/${id}/json`) return gone ? undefined : { json: builtImage };
    if (req.path === "/images/json") return { json: gone ? [] : [builtImage] };
    if (req.path === "/containers/json") return noPins;
    if (req.method === "DELETE" && req.path.startsWith("/containers/")) return { status: 204 };
    if (req.method === "DELETE" && req.path.startsWith("/images/")) {
      gone = req.path === `/images/${id}` || gone;
      return { json: [{ Untagged: req.path.slice("/images/".length) }] };
    }
    return undefined;
  });
  await driver.remove(id);
  const deletes = requests.filter((r) => r.method === "DELETE").map((r) => r.path.replace("/v1.41", ""));
  t.deepEqual(deletes, [
    "/containers/orchest-pin-111111111111",
    "/images/127.0.0.1:5000/t/hello:v1",
    "/images/docker.io/library/hello:latest",
    `/images/127.0.0.1:5000/t/hello@${manifestDigest}`,
    `/images/${id}`,
  ]);
  t.false(requests.some((r) => r.query.force === "true" && r.path.includes("/images/")));
  await t.notThrowsAsync(driver.remove(id), "removing what is gone is fine");
});

test("reports engine refusals with the engine's own message", async (t) => {
  const { driver } = await fakeEngine(t, (req) => (req.path === "/images/json" ? { status: 500, json: { message: "layer store is corrupt" } } : undefined));
  const error = await t.throwsAsync(driver.list(), { instanceOf: DockerEngineError });
  t.is(error!.message, "docker engine refused to list images: HTTP 500: layer store is corrupt");
});
