import anyTest, { type TestFn } from "ava";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../testbed/command.js";
import { buildOciImage, useTestbed } from "../testbed/index.js";
import { realNodesHere } from "../testbed/pods.js";
import { MirrorHosts } from "./mirror-hosts.js";

// A real containerd reads the file MirrorHosts writes. The test bed's registry speaks plain HTTP on an address that
// is not loopback when the run has real nodes (for 127.0.0.1 containerd falls back to HTTP by itself, hiding bugs).
const test = (realNodesHere() ? anyTest : anyTest.skip) as TestFn;

test("a containerd given the hosts dir pulls from a plain-HTTP registry, with and without a mirror listed", async (t) => {
  const tb = await useTestbed();
  const node = tb.nodes.find((n) => n.containerd)!;
  const ctr = (...args: string[]) => run("ctr", ["--address", node.containerd!.socket, "--namespace", "k8s.io", ...args]);
  const reference = `${tb.registry!.host}/mirror-hosts/image-${randomBytes(3).toString("hex")}:v1`;
  await buildOciImage(reference, { "data.bin": randomBytes(256) }, (archive) => ctr("images", "import", archive));
  await ctr("images", "push", "--plain-http", reference);
  await ctr("images", "rm", "--sync", reference);

  const hostsDir = mkdtempSync(join(tmpdir(), "mirror-hosts-"));
  t.teardown(() => rmSync(hostsDir, { recursive: true, force: true }));
  const hosts = new MirrorHosts(hostsDir, tb.registry!.host, true);
  await ctr("images", "pull", "--hosts-dir", hostsDir, reference);
  await ctr("images", "rm", "--sync", reference);

  // A peer that is gone: containerd moves on to the registry.
  const done = hosts.use("127.0.0.1:9");
  await ctr("images", "pull", "--hosts-dir", hostsDir, reference);
  done();
  t.true((await ctr("images", "ls", "-q")).split("\n").includes(reference));
});
