import { verifyDigest } from "./digest.js";
import { type RegistryClient } from "./client.js";
import { parseManifest, type Descriptor } from "./manifest.js";
import { formatReference, type ImageReference } from "./reference.js";

/** Where the bytes of an image come from: a runtime's content store, a peer, a file. */
export interface BlobSource {
  /** Streams one blob or manifest; fails if this source does not hold it. */
  read(descriptor: Descriptor): AsyncIterable<Uint8Array>;
}

export interface PushResult {
  /** Digest of the root manifest (index or image manifest) now in the registry. */
  readonly digest: string;
  readonly blobsUploaded: number;
  /** Blobs the registry already had (HEAD said so): not sent again. */
  readonly blobsSkipped: number;
  readonly bytesUploaded: number;
}

const parallelBlobs = 3;

/**
 * Pushes the image rooted at `root` from `source` to `target`: blobs first (skipping those the registry has),
 * then child manifests by digest, then the root under the target's tag, so that a tag never points at
 * something incomplete.
 */
export async function pushImage(client: RegistryClient, target: ImageReference, root: Descriptor, source: BlobSource): Promise<PushResult> {
  if (target.digest && target.digest !== root.digest) {
    throw new Error(`cannot push ${root.digest} as ${formatReference(target)}: the reference pins another digest`);
  }
  const counts = { blobsUploaded: 0, blobsSkipped: 0, bytesUploaded: 0 };
  const pushManifest = async (descriptor: Descriptor, reference: string): Promise<void> => {
    const bytes = await readWhole(source, descriptor, target);
    const manifest = parseManifest(bytes, descriptor.mediaType);
    if (manifest.kind === "index") {
      for (const child of manifest.manifests) await pushManifest(child, child.digest);
    } else {
      await inParallel([manifest.config, ...manifest.layers], parallelBlobs, async (blob) => {
        const outcome = await client.uploadBlob(target, blob, () => source.read(blob));
        if (outcome === "uploaded") {
          counts.blobsUploaded++;
          counts.bytesUploaded += blob.size;
        } else counts.blobsSkipped++;
      });
    }
    await client.putManifest(target, reference, manifest.mediaType, bytes);
  };
  await pushManifest(root, target.tag ?? root.digest);
  return { digest: root.digest, ...counts };
}

async function readWhole(source: BlobSource, descriptor: Descriptor, target: ImageReference): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source.read(descriptor)) chunks.push(Buffer.from(chunk));
  } catch (error) {
    throw new Error(`cannot push ${formatReference(target)}: manifest ${descriptor.digest} is not readable on this node: ${(error as Error).message}`, { cause: error });
  }
  const bytes = Buffer.concat(chunks);
  verifyDigest(`manifest ${descriptor.digest} read for ${formatReference(target)}`, bytes, descriptor.digest);
  return bytes;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
