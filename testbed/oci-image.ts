import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { archiveLayout, writeOciLayout } from "../images/oci-layout.js";

export interface OciImage {
  /** Digest of the image manifest. */
  readonly digest: string;
  /** Total bytes of config and layer blobs. */
  readonly size: number;
}

/**
 * Builds a small single-layer image (uncompressed, so tests can reason about blob sizes) as an OCI image-layout
 * archive: the test bed cannot pull from public registries, so tests make their own images. `files` maps paths
 * inside the image to their content. `load` gets the path of its OCI image-layout tar archive (for `ctr images
 * import`), which is removed once it returns.
 */
export async function buildOciImage(reference: string, files: Readonly<Record<string, string | Buffer>>, load: (archive: string) => unknown): Promise<OciImage> {
  const work = mkdtempSync(join(tmpdir(), "oci-image-"));
  try {
    const rootfs = join(work, "rootfs");
    mkdirSync(rootfs, { recursive: true });
    for (const [path, content] of Object.entries(files)) {
      const target = join(rootfs, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const layout = await writeOciLayout(join(work, "layout"), { reference, layers: [rootfs], compression: "none" });
    await load(await archiveLayout(layout, join(work, "image.tar")));
    return { digest: layout.digest, size: layout.size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
