import { serviceClient, unary } from "./grpc.js";

/** runtime.v1.Image, as proto-loader decodes it (camelCase, 64-bit numbers as numbers). */
export interface CriImage {
  readonly id: string;
  readonly repoTags: string[];
  readonly repoDigests: string[];
  readonly size: number;
  readonly pinned: boolean;
}

interface FilesystemUsage {
  readonly fsId: { mountpoint: string } | null;
  readonly usedBytes: { value: number } | null;
}

/**
 * The CRI ImageService (runtime.v1) of a node's runtime, as the kubelet itself talks to it: the same view of
 * images the kubelet's image GC has.
 */
export class CriImageService {
  private readonly client;

  constructor(socket: string, private readonly timeoutMs = 10_000) {
    this.client = serviceClient(socket, "cri/api.proto", "runtime.v1.ImageService");
  }

  async list(): Promise<CriImage[]> {
    return (await unary<{ images: CriImage[] }>(this.client, "ListImages", {}, { timeoutMs: this.timeoutMs })).images;
  }

  /** The image by reference or ID, or undefined: CRI answers "not found" with an empty status, not an error. */
  async status(image: string): Promise<CriImage | undefined> {
    const reply = await unary<{ image: CriImage | null }>(this.client, "ImageStatus", { image: { image } }, { timeoutMs: this.timeoutMs });
    return reply.image ?? undefined;
  }

  /** Pulls as the kubelet would; returns the image ID. Pulls of large images take long: the caller sets the deadline. */
  async pull(image: string, timeoutMs: number): Promise<string> {
    return (await unary<{ imageRef: string }>(this.client, "PullImage", { image: { image } }, { timeoutMs })).imageRef;
  }

  async remove(image: string): Promise<void> {
    await unary(this.client, "RemoveImage", { image: { image } }, { timeoutMs: this.timeoutMs });
  }

  async filesystems(): Promise<{ mountpoint: string; usedBytes: number }[]> {
    const reply = await unary<{ imageFilesystems: FilesystemUsage[] }>(this.client, "ImageFsInfo", {}, { timeoutMs: this.timeoutMs });
    return reply.imageFilesystems.map((fs) => ({ mountpoint: fs.fsId?.mountpoint ?? "", usedBytes: fs.usedBytes?.value ?? 0 }));
  }

  close(): void {
    this.client.close();
  }
}
