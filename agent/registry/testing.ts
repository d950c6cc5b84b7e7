import { randomBytes } from "node:crypto";
import { type RegistryClient } from "./client.js";
import { digestOf } from "./digest.js";
import { MediaType } from "./media-types.js";

/**
 * Uploads to a real registry an image built for s390x only (as an index, or as a lone manifest), so that
 * tests can see how a node of another platform reports it. Returns the tagged reference.
 */
export async function uploadForeignPlatformImage(client: RegistryClient, registry: string, shape: "index" | "manifest" = "index"): Promise<string> {
  const repo = { registry, repository: `agent-test/foreign-${randomBytes(3).toString("hex")}` };
  const layer = randomBytes(512);
  const config = Buffer.from(JSON.stringify({ architecture: "s390x", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [digestOf(layer)] } }));
  for (const blob of [layer, config]) {
    await client.uploadBlob(repo, { digest: digestOf(blob), size: blob.length }, async function* () {
      yield blob;
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: digestOf(layer), size: layer.length }],
    }),
  );
  if (shape === "manifest") {
    await client.putManifest(repo, "v1", MediaType.ociManifest, manifest);
  } else {
    await client.putManifest(repo, digestOf(manifest), MediaType.ociManifest, manifest);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ mediaType: MediaType.ociManifest, digest: digestOf(manifest), size: manifest.length, platform: { os: "linux", architecture: "s390x" } }],
      }),
    );
    await client.putManifest(repo, "v1", MediaType.ociIndex, index);
  }
  return `${registry}/${repo.repository}:v1`;
}
