import test from "ava";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { useTestbed, withoutTestbed } from "../../testbed/index.js";
import { RegistryClient } from "./client.js";
import { digestOf } from "./digest.js";
import { DigestMismatchError, PlatformMismatchError, RegistryRefusedError, RegistryUnreachableError } from "./errors.js";
import { hostPlatform } from "./manifest.js";
import { MediaType } from "./media-types.js";
import { parseReference } from "./reference.js";
import { resolveImage } from "./resolve.js";
import { uploadForeignPlatformImage } from "./testing.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

// Against the test bed's real registry (Debian's docker-registry, distribution v2, plain HTTP on loopback).

async function registryUnderTest(chunkSize?: number) {
  const tb = await useTestbed();
  const host = tb.registry!.host;
  const client = new RegistryClient({ plainHttp: (h) => h === host, ...(chunkSize && { chunkSize }) });
  const repo = { registry: host, repository: `agent-test/client-${randomBytes(3).toString("hex")}` };
  return { client, repo, host };
}

const once = (bytes: Buffer) => async function* () {
  yield bytes;
};

onTestbed("uploads a blob in one PUT, then skips it because the registry has it", async (t) => {
  const under = await registryUnderTest();
  const { client, repo } = under;
  const blob = randomBytes(4096);
  const descriptor = { digest: digestOf(blob), size: blob.length };
  t.false(await client.hasBlob(repo, descriptor.digest));
  t.is(await client.uploadBlob(repo, descriptor, once(blob)), "uploaded");
  t.true(await client.hasBlob(repo, descriptor.digest));
  let opened = false;
  t.is(await client.uploadBlob(repo, descriptor, () => ((opened = true), once(blob)())), "skipped");
  t.false(opened, "content is not even read when the registry has the blob");
  t.is(client.transferred.uploaded, blob.length);
});

onTestbed("uploads a large blob in PATCH chunks and reads back the same verified bytes", async (t) => {
  const under = await registryUnderTest(64 << 10);
  const { client, repo } = under;
  const blob = randomBytes((200 << 10) + 123);
  const descriptor = { digest: digestOf(blob), size: blob.length };
  // Uneven pieces: the client re-cuts them into chunks of exactly chunkSize.
  const pieces = async function* () {
    for (let at = 0; at < blob.length; at += 50_000) yield blob.subarray(at, at + 50_000);
  };
  t.is(await client.uploadBlob(repo, descriptor, pieces), "uploaded");
  const read: Buffer[] = [];
  for await (const chunk of client.readBlob(repo, descriptor)) read.push(chunk);
  t.true(Buffer.concat(read).equals(blob));
});

onTestbed("refuses to commit bytes that do not match their digest, and leaves no blob behind", async (t) => {
  const under = await registryUnderTest();
  const { client, repo } = under;
  const claimed = { digest: digestOf(Buffer.from("what the manifest says")), size: 22 };
  const error = await t.throwsAsync(client.uploadBlob(repo, claimed, once(Buffer.from("what the disk holds!!!"))), { instanceOf: DigestMismatchError });
  t.regex(error!.message, /expected digest sha256:/);
  t.false(await client.hasBlob(repo, claimed.digest));
});

onTestbed("puts and gets a manifest with its media type, by tag and by digest", async (t) => {
  const under = await registryUnderTest();
  const { client, repo } = under;
  const config = Buffer.from(JSON.stringify({ architecture: hostPlatform().architecture, os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  await client.uploadBlob(repo, { digest: digestOf(config), size: config.length }, once(config));
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length }, layers: [] }),
  );
  const digest = await client.putManifest(repo, "v1", MediaType.ociManifest, manifest);
  t.is(digest, digestOf(manifest));

  const byTag = await client.getManifest({ ...repo, tag: "v1" });
  t.is(byTag.digest, digest);
  t.is(byTag.mediaType, MediaType.ociManifest);
  t.true(byTag.bytes.equals(manifest));
  t.is((await client.getManifest({ ...repo, digest })).digest, digest);
  t.deepEqual(await client.listTags(repo), ["v1"]);
  t.is((await resolveImage(client, { ...repo, tag: "v1" }, hostPlatform())).digest, digest);
});

onTestbed("reports a registry that refuses a manifest whose blobs it lacks, with the registry's error code", async (t) => {
  const under = await registryUnderTest();
  const { client, repo } = under;
  const missing = { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(randomBytes(8)), size: 8 };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: missing, layers: [] }));
  const error = await t.throwsAsync(client.putManifest(repo, "v1", MediaType.ociManifest, manifest), { instanceOf: RegistryRefusedError });
  t.is(error!.status, 400);
  t.deepEqual(error!.codes, ["MANIFEST_BLOB_UNKNOWN"]);
  t.regex(error!.message, /registry refused to put the manifest [\d.]+:\d+\/agent-test\/client-\w+:v1 .*HTTP 400 MANIFEST_BLOB_UNKNOWN/);
  t.is(error!.reason, "RegistryRefused");
});

onTestbed("reports a tag the registry does not have as MANIFEST_UNKNOWN", async (t) => {
  const under = await registryUnderTest();
  const { client, repo } = under;
  const error = await t.throwsAsync(client.getManifest({ ...repo, tag: "nope" }), { instanceOf: RegistryRefusedError });
  t.is(error!.status, 404);
  t.true(error!.codes.includes("MANIFEST_UNKNOWN") || error!.codes.includes("NAME_UNKNOWN"), error!.codes.join());
});

test("reports a registry nobody listens on as unreachable", async (t) => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const client = new RegistryClient({ plainHttp: () => true });
  const error = await t.throwsAsync(client.hasBlob(parseReference(`127.0.0.1:${port}/x/y`), digestOf(Buffer.from("x"))), { instanceOf: RegistryUnreachableError });
  t.regex(error!.message, /unreachable at http:\/\/127\.0\.0\.1:\d+ \(check for a blob\): .*ECONNREFUSED/);
});

onTestbed("resolves an image for another platform as PlatformMismatch, whether index or lone manifest", async (t) => {
  const under = await registryUnderTest();
  const { client, host } = under;
  for (const shape of ["index", "manifest"] as const) {
    const reference = await uploadForeignPlatformImage(client, host, shape);
    const error = await t.throwsAsync(resolveImage(client, parseReference(reference), { os: "linux", architecture: "amd64" }), { instanceOf: PlatformMismatchError });
    t.is(error!.message, `manifest of ${reference} is for another platform: this node needs linux/amd64, the image has linux/s390x`);
  }
});
