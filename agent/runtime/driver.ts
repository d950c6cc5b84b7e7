import { type PushResult } from "../registry/push.js";

/** An image as a node's runtime holds it. */
export interface RuntimeImage {
  /** The runtime's image ID (the config digest for both containerd and docker). */
  readonly id: string;
  /**
   * Manifest (or index) digests this image is known under: the ImageLocation key. Docker knows none for an
   * image built locally until it has been pushed or pulled.
   */
  readonly digests: readonly string[];
  /** Tagged names, canonical (e.g. "docker.io/library/nginx:1.27", "127.0.0.1:5000/t/hello:v1"). */
  readonly tags: readonly string[];
  /** Bytes on disk as the runtime reports them. */
  readonly size: number;
  /** Whether the agent pinned it so that the kubelet's image GC leaves it. */
  readonly pinned: boolean;
}

/** How much the runtime's image filesystem holds (for status and disk-pressure decisions). */
export interface ImageFilesystemUsage {
  readonly usedBytes: number;
  readonly mountpoint: string;
}

/**
 * What the node-agent needs from a container runtime, whichever it is. `image` arguments are a manifest
 * digest ("sha256:…"), a tagged or digested reference, or the runtime's image ID.
 */
export interface RuntimeDriver {
  readonly runtime: "containerd" | "docker";
  list(): Promise<RuntimeImage[]>;
  /** The image, or undefined when the runtime does not hold it. */
  inspect(image: string): Promise<RuntimeImage | undefined>;
  /** Pulls through the runtime itself (its registry configuration and credentials apply). */
  pull(reference: string): Promise<RuntimeImage>;
  /**
   * Gives a held image another name (`registry/repository:tag`), as a pull by that tag would: what a pull by
   * digest leaves has no tag, and the kubelet looks pods' images up by the name they give.
   */
  tag(image: string, name: string): Promise<void>;
  /** Pushes a held image to `reference` (a registry, repository and tag). */
  push(image: string, reference: string): Promise<PushResult>;
  /** Removes every name of the image; resolves also when it is already gone. */
  remove(image: string): Promise<void>;
  pin(image: string): Promise<void>;
  unpin(image: string): Promise<void>;
  imageFilesystem(): Promise<ImageFilesystemUsage>;
  close(): void;
}

/** The runtime does not hold the image an operation needs. */
export class ImageNotFoundError extends Error {
  readonly reason = "ImageNotFound";
  constructor(readonly image: string, where: string) {
    super(`image ${image} is not in ${where}`);
  }
}
