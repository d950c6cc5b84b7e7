import { grpc, isNotFound, serverStream, serviceClient, unary } from "./grpc.js";

const servicesDir = "github.com/containerd/containerd/api/services";

/** containerd.types.Descriptor as decoded. */
export interface ContainerdDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** containerd.services.images.v1.Image as decoded. */
export interface ContainerdImage {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly target: ContainerdDescriptor;
}

/**
 * containerd's own image and content services, for what CRI does not offer: the manifest digest an image
 * name points at, image labels (pinning), and reading blobs for a push. Scoped to one namespace: the CRI
 * plugin keeps the kubelet's images in "k8s.io".
 */
export class ContainerdStore {
  private readonly images;
  private readonly content;
  private readonly metadata = new grpc.Metadata();

  constructor(socket: string, namespace = "k8s.io", private readonly timeoutMs = 10_000) {
    this.images = serviceClient(socket, `${servicesDir}/images/v1/images.proto`, "containerd.services.images.v1.Images");
    this.content = serviceClient(socket, `${servicesDir}/content/v1/content.proto`, "containerd.services.content.v1.Content");
    this.metadata.set("containerd-namespace", namespace);
  }

  /** Images matching any of containerd's filters (e.g. `target.digest==sha256:…`), all when none. */
  async list(...filters: string[]): Promise<ContainerdImage[]> {
    return (await unary<{ images: ContainerdImage[] }>(this.images, "List", { filters }, this.options())).images;
  }

  async get(name: string): Promise<ContainerdImage | undefined> {
    try {
      return (await unary<{ image: ContainerdImage }>(this.images, "Get", { name }, this.options())).image;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Names `target` `name` (containerd's images Create); an existing name is pointed at `target`. */
  async create(name: string, target: ContainerdDescriptor): Promise<void> {
    try {
      await unary(this.images, "Create", { image: { name, target } }, this.options());
    } catch (error) {
      if ((error as { code?: number }).code !== grpc.status.ALREADY_EXISTS) throw error;
      await unary(this.images, "Update", { image: { name, target }, updateMask: { paths: ["target"] } }, this.options());
    }
  }

  /** Sets (value) or deletes (undefined) one label, leaving the image's other labels alone. */
  async setLabel(name: string, key: string, value: string | undefined): Promise<void> {
    await unary(
      this.images,
      "Update",
      { image: { name, labels: value === undefined ? {} : { [key]: value } }, updateMask: { paths: [`labels.${key}`] } },
      this.options(),
    );
  }

  /** Size of a committed blob, or undefined when the content store does not hold it. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await unary<{ info: { size: number } }>(this.content, "Info", { digest }, this.options())).info.size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Streams a committed blob from the content store. */
  async *read(digest: string): AsyncGenerator<Uint8Array> {
    for await (const message of serverStream<{ data: Uint8Array }>(this.content, "Read", { digest }, this.metadata)) yield message.data;
  }

  close(): void {
    this.images.close();
    this.content.close();
  }

  private options() {
    return { metadata: this.metadata, timeoutMs: this.timeoutMs };
  }
}
