import test from "ava";
import { randomBytes } from "node:crypto";
import { run } from "../../testbed/command.js";
import { buildOciImage, withoutTestbed, useTestbed, type Testbed } from "../../testbed/index.js";
import { RegistryClient } from "../registry/client.js";
import { PlatformMismatchError } from "../registry/errors.js";
import { parseReference } from "../registry/reference.js";
import { ContainerdStore } from "./containerd-store.js";
import { ContainerdDriver, pinnedLabel } from "./containerd-driver.js";
import { CriImageService } from "./cri-images.js";
import { uploadForeignPlatformImage } from "../registry/testing.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

// Real containerd instances (one per simulated node) and a real registry: nothing here is faked.

function setup(tb: Testbed) {
  const nodes = tb.nodes.filter((n) => n.containerd);
  const registry = new RegistryClient({ plainHttp: (host) => host === tb.registry!.host });
  const driver = (i: number) => new ContainerdDriver({ socket: nodes[i]!.containerd!.socket, registry, pullTimeoutMs: 60_000 });
  const ctr = (i: number, ...args: string[]) => run("ctr", ["--address", nodes[i]!.containerd!.socket, "--namespace", "k8s.io", ...args]);
  return { nodes, registry, driver, ctr };
}

/** A fresh image placed in node `i`'s containerd as a builder would leave it. */
async function builtOn(tb: Testbed, ctr: (i: number, ...args: string[]) => Promise<string>, i: number, name: string) {
  const reference = `${tb.registry!.host}/agent-test/${name}-${randomBytes(3).toString("hex")}:v1`;
  const image = await buildOciImage(reference, { "hello.txt": `${name} ${randomBytes(8).toString("hex")}\n` }, (archive) => ctr(i, "images", "import", archive));
  return { reference, ...image };
}

onTestbed("pushes an image built on one node to the registry, skipping blobs the registry has", async (t) => {
  const tb = await useTestbed();
  const { registry, driver, ctr } = setup(tb);
  const built = await builtOn(tb, ctr, 0, "push");
  const node = driver(0);
  t.teardown(() => node.close());

  const first = await node.push(built.digest, built.reference);
  t.is(first.digest, built.digest);
  t.is(first.blobsUploaded, 2, "config and layer uploaded");
  t.is(first.blobsSkipped, 0);
  t.is(first.bytesUploaded, built.size);

  const again = await node.push(built.digest, built.reference.replace(/:v1$/, ":v2"));
  t.is(again.blobsUploaded, 0, "second push sends no blob");
  t.is(again.blobsSkipped, 2);

  const repo = parseReference(built.reference);
  t.deepEqual((await registry.listTags(repo)).sort(), ["v1", "v2"]);
  t.is((await registry.getManifest(repo)).digest, built.digest, "the registry serves the built manifest digest");
});

onTestbed("pulls into another node's containerd through CRI and finds it by digest", async (t) => {
  const tb = await useTestbed();
  const { driver, ctr } = setup(tb);
  const built = await builtOn(tb, ctr, 0, "pull");
  const [builder, puller] = [driver(0), driver(1)];
  t.teardown(() => (builder.close(), puller.close()));
  await builder.push(built.digest, built.reference);

  t.is(await puller.inspect(built.digest), undefined, "not on the other node before the pull");
  const started = Date.now();
  const pulled = await puller.pull(built.reference);
  t.log(`CRI PullImage of a ${built.size}-byte image: ${Date.now() - started} ms`);
  t.deepEqual(pulled.digests, [built.digest]);
  t.true(pulled.tags.includes(built.reference));
  t.regex(pulled.id, /^sha256:[a-f0-9]{64}$/, "CRI image ID");
  t.true(pulled.size > 0);

  const byDigest = await puller.inspect(built.digest);
  t.deepEqual(byDigest?.digests, [built.digest]);
  t.is((await puller.inspect(pulled.id))?.digests[0], built.digest, "found by CRI image ID too");
  t.true((await puller.list()).some((image) => image.digests.includes(built.digest)));
});

onTestbed("an image pulled by digest gets its tag too, under which CRI (the kubelet's view) finds it", async (t) => {
  const tb = await useTestbed();
  const { driver, ctr, nodes } = setup(tb);
  const built = await builtOn(tb, ctr, 0, "tag");
  const [builder, puller] = [driver(0), driver(1)];
  const cri = new CriImageService(nodes[1]!.containerd!.socket);
  t.teardown(() => (builder.close(), puller.close(), cri.close()));
  await builder.push(built.digest, built.reference);

  const repository = built.reference.replace(/:[^:/]+$/, "");
  await puller.pull(`${repository}@${built.digest}`);
  t.is(await cri.status(built.reference), undefined, "a pull by digest leaves no tag");
  await puller.tag(built.digest, built.reference);
  t.deepEqual((await cri.status(built.reference))?.repoTags, [built.reference]);
  t.deepEqual((await puller.inspect(built.reference))?.digests, [built.digest]);
});

onTestbed("removes an image and sees it gone", async (t) => {
  const tb = await useTestbed();
  const { driver, ctr, nodes } = setup(tb);
  const built = await builtOn(tb, ctr, 0, "remove");
  const node = driver(0);
  const cri = new CriImageService(nodes[0]!.containerd!.socket);
  t.teardown(() => (node.close(), cri.close()));
  t.truthy(await node.inspect(built.digest));

  await node.remove(built.digest);
  t.is(await node.inspect(built.digest), undefined);
  t.is(await node.inspect(built.reference), undefined);
  t.is(await cri.status(built.reference), undefined, "CRI (the kubelet's view) no longer has it");
  await t.notThrowsAsync(node.remove(built.digest), "removing what is gone is fine");
});

onTestbed("pins a built image with containerd's CRI pinned label on every name, and unpins it", async (t) => {
  const tb = await useTestbed();
  const { driver, ctr, nodes } = setup(tb);
  const built = await builtOn(tb, ctr, 0, "pin");
  const node = driver(0);
  const store = new ContainerdStore(nodes[0]!.containerd!.socket);
  const cri = new CriImageService(nodes[0]!.containerd!.socket);
  t.teardown(() => (node.close(), store.close(), cri.close()));

  await node.pin(built.reference);
  t.true((await node.inspect(built.digest))?.pinned);
  t.is((await store.get(built.reference))?.labels[pinnedLabel], "pinned");
  t.log(`CRI ImageStatus.pinned on containerd ${await run("containerd", ["--version"])}: ${(await cri.status(built.reference))?.pinned}`);

  await node.unpin(built.digest);
  t.false((await node.inspect(built.digest))?.pinned);
  t.is((await store.get(built.reference))?.labels[pinnedLabel], undefined);
});

onTestbed("reports a manifest for another platform as a clear error when pulling", async (t) => {
  const tb = await useTestbed();
  const { registry, driver } = setup(tb);
  const node = driver(1);
  t.teardown(() => node.close());
  const reference = await uploadForeignPlatformImage(registry, tb.registry!.host);

  const error = await t.throwsAsync(node.pull(reference), { instanceOf: PlatformMismatchError });
  t.regex(error!.message, /another platform.*linux\/amd64/);
});

onTestbed("reports a registry that refuses as a clear error when pulling", async (t) => {
  const tb = await useTestbed();
  const { driver } = setup(tb);
  const node = driver(1);
  t.teardown(() => node.close());
  const error = await t.throwsAsync(node.pull(`${tb.registry!.host}/agent-test/never-pushed:v1`));
  t.regex(error!.message, /containerd could not pull [\d.]+:\d+\/agent-test\/never-pushed:v1: .*not found/);
});

onTestbed("reports the image filesystem's usage through CRI ImageFsInfo", async (t) => {
  const tb = await useTestbed();
  const node = setup(tb).driver(0);
  t.teardown(() => node.close());
  const usage = await node.imageFilesystem();
  t.true(usage.mountpoint.length > 0, usage.mountpoint);
  t.true(usage.usedBytes >= 0);
});
