import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run } from "./command.js";

export interface OciImage {
  /** Path of the OCI image-layout tar archive, ready for `ctr images import`. */
  readonly archive: string;
  /** Digest of the image manifest. */
  readonly digest: string;
  /** Total bytes of config and layer blobs. */
  readonly size: number;
}

function blob(dir: string, content: Buffer): { digest: string; size: number } {
  const hex = createHash("sha256").update(content).digest("hex");
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "blobs", "sha256", hex), content);
  return { digest: `sha256:${hex}`, size: content.length };
}

/**
 * Builds a small single-layer image as an OCI image-layout archive: the test bed cannot pull from public
 * registries, so tests make their own images. `files` maps paths inside the image to their content.
 */
export async function buildOciImage(reference: string, files: Readonly<Record<string, string | Buffer>>): Promise<OciImage> {
  const work = mkdtempSync(join(tmpdir(), "oci-image-"));
  try {
    const rootfs = join(work, "rootfs");
    for (const [path, content] of Object.entries(files)) {
      const target = join(rootfs, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    mkdirSync(rootfs, { recursive: true });
    const layout = join(work, "layout");
    const layerTar = join(work, "layer.tar");
    // Fixed owner and mtime: the same files give the same layer digest.
    await run("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", rootfs, "-cf", layerTar, "."]);
    const layer = blob(layout, readFileSync(layerTar));
    const config = blob(
      layout,
      Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [layer.digest] } })),
    );
    const manifest = blob(
      layout,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
          layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
        }),
      ),
    );
    writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(
      join(layout, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            ...manifest,
            platform: { architecture: "amd64", os: "linux" },
            annotations: { "io.containerd.image.name": reference, "org.opencontainers.image.ref.name": reference.split(":").pop() },
          },
        ],
      }),
    );
    const archive = join(mkdtempSync(join(tmpdir(), "oci-archive-")), "image.tar");
    await run("tar", ["-C", layout, "-cf", archive, "."]);
    return { archive, digest: manifest.digest, size: layer.size + config.size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
