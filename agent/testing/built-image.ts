import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KubeClient } from "../../reconcilers/index.js";
import { buildOciImage } from "../../testbed/index.js";
import { BUILT_LABEL, BUILT_VALUE, IMAGE_LOCATION, imageLocationName } from "../location-identity.js";

export interface PlacedImage {
  readonly reference: string;
  readonly digest: string;
  readonly size: number;
}

/**
 * What a build leaves behind, without a builder: a fresh image of `bytes` random bytes imported into the node's
 * containerd, and the ImageLocation that orchest-api records for it (labelled built, on that node).
 */
export async function placeBuiltImage(
  client: KubeClient,
  at: { namespace: string; node: string; socket: string; registryHost: string },
  name: string,
  bytes: number,
): Promise<PlacedImage> {
  const reference = `${at.registryHost}/agent-test/${name}-${randomBytes(3).toString("hex")}:v1`;
  const image = await importNewImage(at.socket, reference, bytes);
  await client.create({
    ...IMAGE_LOCATION,
    metadata: { name: imageLocationName(reference, image.digest, at.node), namespace: at.namespace, labels: { [BUILT_LABEL]: BUILT_VALUE } },
    spec: { image: reference, digest: image.digest, node: at.node },
  });
  return image;
}

/** A fresh image of `bytes` random bytes named `reference`, imported into the containerd at `socket` as the kubelet sees images. */
export async function importNewImage(socket: string, reference: string, bytes: number): Promise<PlacedImage> {
  const image = await buildOciImage(reference, { "data.bin": randomBytes(bytes) }, (archive) =>
    execFileSync("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "import", archive]),
  );
  return { reference, digest: image.digest, size: image.size };
}

/** Lets a test containerd pull from a plain-HTTP registry (or proxy) on loopback, as the test bed does for its own. */
export function trustPlainRegistry(hostsDir: string, host: string): void {
  mkdirSync(join(hostsDir, host), { recursive: true });
  writeFileSync(join(hostsDir, host, "hosts.toml"), `server = "http://${host}"\n`);
}
