// Writes OCI image layouts (github.com/opencontainers/image-spec, image-layout.md) from directory trees.
// Deterministic by construction: entries sorted, owner root, mtime 0, gzip without a timestamp, and JSON
// written with a fixed key order; so the same trees give the same digests on any machine.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { PassThrough, Transform, Writable } from "node:stream";
import { createGzip } from "node:zlib";
import { partialPath, publish } from "../testbed/atomic.js";
import { run } from "../testbed/command.js";

/** The runtime settings of an image (the `config` of an OCI image configuration). */
export interface ImageConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface LayoutOptions {
  /** The full reference recorded in the layout's index (`io.containerd.image.name`), e.g. "registry/repo:tag". */
  readonly reference: string;
  /** Root filesystem trees, one layer each, lowest first. */
  readonly layers: readonly string[];
  readonly config?: ImageConfig;
  /** @default "gzip" */
  readonly compression?: "gzip" | "none";
  /** A folder that keeps compressed layers by the digest of their tar, so unchanged trees are not compressed again. */
  readonly layerCache?: string;
}

export interface OciLayout {
  /** The layout folder (oci-layout, index.json, blobs/). */
  readonly dir: string;
  readonly reference: string;
  /** Digest of the image manifest: what a registry serves and a runtime records. */
  readonly digest: string;
  /** Bytes of config and layer blobs, as stored. */
  readonly size: number;
}

const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const CONFIG = "application/vnd.oci.image.config.v1+json";

interface Blob {
  readonly digest: string;
  readonly size: number;
}

function blobPath(dir: string, digest: string): string {
  return join(dir, "blobs", "sha256", digest.replace(/^sha256:/, ""));
}

function writeBlob(dir: string, content: Buffer): Blob {
  const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
  writeFileSync(blobPath(dir, digest), content);
  return { digest, size: content.length };
}

/** A stream stage that hashes what passes through it. */
function hashing(): { stage: Transform; digest: () => string; size: () => number } {
  const hash = createHash("sha256");
  let size = 0;
  const stage = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stage, digest: () => `sha256:${hash.digest("hex")}`, size: () => size };
}

const TAR_ARGS = ["--sort=name", "--format=gnu", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner"];

/** Streams `tree` as a tar through `stages` (the last one a sink). */
async function tarThrough(tree: string, ...stages: NodeJS.WritableStream[]): Promise<void> {
  const tar = spawn("tar", [...TAR_ARGS, "-C", tree, "-cf", "-", "."], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  tar.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => tar.once("close", resolve));
  await pipeline(tar.stdout, ...(stages as [NodeJS.WritableStream]));
  const code = await exited;
  if (code !== 0) throw new Error(`tar of ${tree} exited with ${code}: ${stderr.trim()}`);
}

/** Layouts share the cache's blobs by hard link where they can (one filesystem), else by copy. */
function linkOrCopy(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}

/** A sink that discards. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Archives `tree` as a layer blob; returns the blob and the digest of the uncompressed tar (the diff ID).
 * With a cache, a tree whose tar was compressed before is hashed only, and its compressed blob reused.
 */
async function writeLayer(dir: string, tree: string, compression: "gzip" | "none", cache?: string): Promise<Blob & { diffId: string }> {
  const cached = (diffId: string) => join(cache!, `${compression}-${diffId.replace(/^sha256:/, "")}`);
  let diffId: string | undefined;
  if (cache) {
    const uncompressed = hashing();
    await tarThrough(tree, uncompressed.stage, discard());
    diffId = uncompressed.digest();
    if (existsSync(cached(diffId))) {
      const { digest, size } = JSON.parse(readFileSync(`${cached(diffId)}/blob.json`, "utf8")) as Blob;
      linkOrCopy(`${cached(diffId)}/blob`, blobPath(dir, digest));
      return { digest, size, diffId };
    }
  }
  const uncompressed = hashing();
  const stored = hashing();
  const partial = join(dir, "blobs", "layer.partial");
  const compress = compression === "gzip" ? createGzip() : new PassThrough();
  await tarThrough(tree, uncompressed.stage, compress, stored.stage, createWriteStream(partial));
  const layer = { digest: stored.digest(), size: stored.size(), diffId: uncompressed.digest() };
  renameSync(partial, blobPath(dir, layer.digest));
  if (cache) {
    const entry = cached(layer.diffId);
    const partial = partialPath(entry);
    mkdirSync(partial, { recursive: true });
    copyFileSync(blobPath(dir, layer.digest), join(partial, "blob"));
    writeFileSync(join(partial, "blob.json"), JSON.stringify({ digest: layer.digest, size: layer.size }));
    publish(partial, entry);
  }
  return layer;
}

/** Writes an image as an OCI layout folder at `dir` (replaced if it exists). */
export async function writeOciLayout(dir: string, options: LayoutOptions): Promise<OciLayout> {
  const compression = options.compression ?? "gzip";
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const layers = [];
  for (const tree of options.layers) layers.push(await writeLayer(dir, tree, compression, options.layerCache));
  const c = options.config ?? {};
  const config = writeBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: {
          ...(c.user ? { User: c.user } : {}),
          ...(c.env ? { Env: c.env } : {}),
          ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
          ...(c.cmd ? { Cmd: c.cmd } : {}),
          ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
          ...(c.labels ? { Labels: c.labels } : {}),
        },
        rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
      }),
    ),
  );
  const layerType = compression === "gzip" ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar";
  const manifest = writeBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: CONFIG, digest: config.digest, size: config.size },
        layers: layers.map((layer) => ({ mediaType: layerType, digest: layer.digest, size: layer.size })),
      }),
    ),
  );
  const tag = options.reference.slice(options.reference.lastIndexOf("/") + 1).split(":")[1] ?? "latest";
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: manifest.digest,
          size: manifest.size,
          platform: { architecture: "amd64", os: "linux" },
          annotations: { "io.containerd.image.name": options.reference, "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  return { dir, reference: options.reference, digest: manifest.digest, size: config.size + layers.reduce((sum, layer) => sum + layer.size, 0) };
}

/** The layout as one tar archive, the form `ctr images import` and `docker load` take. */
export async function archiveLayout(layout: OciLayout, archive: string): Promise<string> {
  await run("tar", [...TAR_ARGS, "-C", layout.dir, "-cf", archive, "."]);
  return archive;
}
