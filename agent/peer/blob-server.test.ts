import test from "ava";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../testbed/command.js";
import { buildOciImage, withoutTestbed, useTestbed, type Testbed } from "../../testbed/index.js";
import { RegistryClient } from "../registry/client.js";
import { RegistryRefusedError } from "../registry/errors.js";
import { parseManifest } from "../registry/manifest.js";
import { ContainerdDriver } from "../runtime/containerd-driver.js";
import { ContainerdStore } from "../runtime/containerd-store.js";
import { PeerBlobServer } from "./blob-server.js";
import { containerdPeerContent } from "./containerd-content.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

// A peer serving from node 0's real containerd; node 1's real containerd pulls through it.

async function peerOnNode0(t: { teardown(fn: () => unknown): void }, tb: Testbed, name: string) {
  const node = tb.nodes.filter((n) => n.containerd)[0]!;
  const reference = `${tb.registry!.host}/agent-test/${name}-${randomBytes(3).toString("hex")}:v1`;
  const image = await buildOciImage(reference, { "data.bin": randomBytes(64 << 10) }, (archive) => run("ctr", ["--address", node.containerd!.socket, "--namespace", "k8s.io", "images", "import", archive]));
  const store = new ContainerdStore(node.containerd!.socket);
  const peer = await PeerBlobServer.start({ content: containerdPeerContent(store), host: "127.0.0.1" });
  t.teardown(async () => {
    await peer.close();
    store.close();
  });
  return { peer, reference, image, repository: reference.slice(tb.registry!.host.length + 1).replace(/:v1$/, "") };
}

onTestbed("a node serves its image's manifest and blobs to peers, each verified by digest", async (t) => {
  const tb = await useTestbed();
  const { peer, image, repository } = await peerOnNode0(t, tb, "peer-serve");
  const client = new RegistryClient({ plainHttp: () => true });
  const repo = { registry: peer.address, repository };

  const manifest = await client.getManifest({ ...repo, digest: image.digest });
  const parsed = parseManifest(manifest.bytes, manifest.mediaType);
  if (parsed.kind !== "image") throw new Error("expected an image manifest");
  let bytes = 0;
  for (const blob of [parsed.config, ...parsed.layers]) for await (const chunk of client.readBlob(repo, blob)) bytes += chunk.length;
  t.is(bytes, image.size);
  t.is(peer.bytesServed, image.size + manifest.bytes.length);
  t.true(await client.hasBlob(repo, parsed.layers[0]!.digest));
});

onTestbed("another node's containerd pulls through the peer as a mirror while the registry does not have the image", async (t) => {
  const tb = await useTestbed();
  const { peer, reference, image } = await peerOnNode0(t, tb, "peer-mirror");
  const registryHost = tb.registry!.host;
  const hostsDir = mkdtempSync(join(tmpdir(), "peer-hosts-"));
  t.teardown(() => rmSync(hostsDir, { recursive: true, force: true }));
  mkdirSync(join(hostsDir, registryHost));
  writeFileSync(
    join(hostsDir, registryHost, "hosts.toml"),
    `server = "http://${registryHost}"\n\n[host."http://${peer.address}"]\n  capabilities = ["pull", "resolve"]\n`,
  );
  const puller = tb.nodes.filter((n) => n.containerd)[1]!;
  t.is((await new RegistryClient({ plainHttp: () => true }).listTags({ registry: registryHost, repository: reference.slice(registryHost.length + 1, -3) })).length, 0, "not in the registry");

  await run("ctr", ["--address", puller.containerd!.socket, "--namespace", "k8s.io", "images", "pull", "--hosts-dir", hostsDir, reference]);
  t.true(peer.bytesServed >= image.size, `peer served ${peer.bytesServed} bytes`);
  const driver = new ContainerdDriver({ socket: puller.containerd!.socket, registry: new RegistryClient() });
  t.teardown(() => driver.close());
  t.deepEqual((await driver.inspect(image.digest))?.digests, [image.digest], "the pulling node's runtime holds it by digest");
});

onTestbed("a peer refuses writes and says which content it does not hold", async (t) => {
  const tb = await useTestbed();
  const { peer, repository } = await peerOnNode0(t, tb, "peer-refuse");
  const client = new RegistryClient({ plainHttp: () => true });
  const unknown = `sha256:${"0".repeat(64)}`;
  t.false(await client.hasBlob({ registry: peer.address, repository }, unknown));
  const error = await t.throwsAsync(client.getManifest({ registry: peer.address, repository, digest: unknown }), { instanceOf: RegistryRefusedError });
  t.deepEqual(error!.codes, ["MANIFEST_UNKNOWN"]);
  const write = await t.throwsAsync(client.uploadBlob({ registry: peer.address, repository }, { digest: unknown, size: 0 }, async function* () {}), { instanceOf: RegistryRefusedError });
  t.is(write!.status, 405);
});
