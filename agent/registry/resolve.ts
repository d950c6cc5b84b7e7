import { type RegistryClient } from "./client.js";
import { checkConfigPlatform, parseManifest, selectPlatform, type Descriptor, type Platform } from "./manifest.js";
import { formatReference, type ImageReference } from "./reference.js";

export interface ResolvedImage {
  /** Digest of what the reference names: an index or a single-platform manifest. The ImageLocation key. */
  readonly digest: string;
  /** The manifest a node of `platform` would run. */
  readonly manifest: Descriptor;
}

/**
 * Resolves a reference to its digest and checks that it has a manifest for `platform`, so that a pull for a
 * foreign platform fails with PlatformMismatch before any runtime is asked.
 */
export async function resolveImage(client: RegistryClient, ref: ImageReference, platform: Platform): Promise<ResolvedImage> {
  const root = await client.getManifest(ref);
  const parsed = parseManifest(root.bytes, root.mediaType);
  const name = formatReference(ref);
  if (parsed.kind === "index") return { digest: root.digest, manifest: selectPlatform(name, parsed.manifests, platform) };
  const chunks: Buffer[] = [];
  for await (const chunk of client.readBlob(ref, parsed.config)) chunks.push(chunk);
  checkConfigPlatform(name, Buffer.concat(chunks), platform);
  return { digest: root.digest, manifest: { mediaType: parsed.mediaType, digest: root.digest, size: root.bytes.length } };
}
