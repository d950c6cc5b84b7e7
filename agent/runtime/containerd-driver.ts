import { type RegistryClient } from "../registry/client.js";
import { PlatformMismatchError } from "../registry/errors.js";
import { formatPlatform, hostPlatform } from "../registry/manifest.js";
import { pushImage, type PushResult } from "../registry/push.js";
import { formatReference, parseReference, tagOrDefault } from "../registry/reference.js";
import { CriImageService } from "./cri-images.js";
import { ContainerdStore, type ContainerdImage } from "./containerd-store.js";
import { ImageNotFoundError, type ImageFilesystemUsage, type RuntimeDriver, type RuntimeImage } from "./driver.js";

/**
 * The label containerd's CRI plugin reads to report an image as pinned, which the kubelet's image GC skips.
 * CRI has no call to set it, so it is set through containerd's image service on every name of the image.
 * The CRI plugin honours a label set after the image was created only from containerd 1.6.25 (containerd#9382,
 * and its counterparts on later branches); older ones, such as the test bed's 1.6.20, keep reporting the image
 * unpinned to the kubelet, and the agent's re-pull after eviction is then the only protection.
 */
export const pinnedLabel = "io.cri-containerd.pinned";
/** How long a new name may take to reach CRI's view of containerd's images (it follows containerd's events). */
const TAG_VISIBLE_WITHIN_MS = 30_000;

const digestPattern = /^sha256:[a-f0-9]{64}$/;

export interface ContainerdDriverOptions {
  /** containerd's gRPC socket, e.g. /run/containerd/containerd.sock. */
  readonly socket: string;
  /** For pushes: containerd's CRI cannot push, so the blobs go through this client. */
  readonly registry: RegistryClient;
  /** Deadline of one CRI PullImage. */
  readonly pullTimeoutMs?: number;
}

/**
 * containerd, spoken to as the kubelet does (CRI ImageService: list, status, pull, remove, filesystem) plus
 * containerd's own image and content services for what CRI lacks: manifest digests, labels, blob reads.
 */
export class ContainerdDriver implements RuntimeDriver {
  readonly runtime = "containerd";
  private readonly cri: CriImageService;
  private readonly store: ContainerdStore;

  constructor(private readonly options: ContainerdDriverOptions) {
    this.cri = new CriImageService(options.socket);
    this.store = new ContainerdStore(options.socket);
  }

  async list(): Promise<RuntimeImage[]> {
    const [names, criImages] = await Promise.all([this.store.list(), this.cri.list()]);
    const criByName = new Map(criImages.flatMap((image) => [image.id, ...image.repoTags, ...image.repoDigests].map((name) => [name, image] as const)));
    const byDigest = new Map<string, ContainerdImage[]>();
    for (const image of names) byDigest.set(image.target.digest, [...(byDigest.get(image.target.digest) ?? []), image]);
    return [...byDigest.values()].map((group) => this.describe(group, group.map((image) => criByName.get(image.name)).find(Boolean)));
  }

  async inspect(image: string): Promise<RuntimeImage | undefined> {
    const digest = await this.manifestDigest(image);
    if (!digest) return undefined;
    const group = await this.store.list(`target.digest==${digest}`);
    if (group.length === 0) return undefined;
    return this.describe(group, await this.cri.status(group[0]!.name));
  }

  async pull(reference: string): Promise<RuntimeImage> {
    const name = formatReference(tagOrDefault(parseReference(reference)));
    try {
      await this.cri.pull(name, this.options.pullTimeoutMs ?? 15 * 60_000);
    } catch (error) {
      const message = (error as Error).message;
      if (/no match for platform/.test(message)) throw new PlatformMismatchError(name, formatPlatform(hostPlatform()), []);
      throw new Error(`containerd could not pull ${name}: ${message}`, { cause: error });
    }
    const pulled = await this.inspect(name);
    if (!pulled) throw new Error(`containerd pulled ${name} but does not list it`);
    return pulled;
  }

  async tag(image: string, name: string): Promise<void> {
    const group = await this.named(image);
    const reference = formatReference(parseReference(name));
    await this.store.create(reference, group[0]!.target);
    // CRI learns of the new name from containerd's events, a moment later. The kubelet looks images up through
    // CRI: until it sees the name, a pod naming it would be pulled again. Done means the kubelet sees it.
    for (let waitedMs = 0; !(await this.cri.status(reference))?.repoTags?.includes(reference); waitedMs += 50) {
      if (waitedMs >= TAG_VISIBLE_WITHIN_MS) throw new Error(`containerd holds ${reference}, but its CRI plugin still does not list it after ${TAG_VISIBLE_WITHIN_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async push(image: string, reference: string): Promise<PushResult> {
    const group = await this.named(image);
    const target = group[0]!.target;
    return pushImage(this.options.registry, parseReference(reference), target, { read: (blob) => this.store.read(blob.digest) });
  }

  async remove(image: string): Promise<void> {
    const digest = await this.manifestDigest(image);
    if (!digest) return;
    // CRI removes an image by every name it knows; names CRI has not synced yet are removed one by one.
    for (const { name } of await this.store.list(`target.digest==${digest}`)) await this.cri.remove(name);
    const left = await this.store.list(`target.digest==${digest}`);
    if (left.length > 0) throw new Error(`containerd still holds ${left.map((i) => i.name).join(", ")} after removing ${image}`);
  }

  async pin(image: string): Promise<void> {
    for (const { name } of await this.named(image)) await this.store.setLabel(name, pinnedLabel, "pinned");
  }

  async unpin(image: string): Promise<void> {
    for (const { name } of await this.named(image)) await this.store.setLabel(name, pinnedLabel, undefined);
  }

  async imageFilesystem(): Promise<ImageFilesystemUsage> {
    const [first] = await this.cri.filesystems();
    return first ?? { mountpoint: "", usedBytes: 0 };
  }

  close(): void {
    this.cri.close();
    this.store.close();
  }

  /** Every containerd name of the image, or ImageNotFoundError. */
  private async named(image: string): Promise<ContainerdImage[]> {
    const digest = await this.manifestDigest(image);
    const group = digest ? await this.store.list(`target.digest==${digest}`) : [];
    if (group.length === 0) throw new ImageNotFoundError(image, `containerd at ${this.options.socket}`);
    return group;
  }

  /** The manifest digest `image` stands for: given as such, named by a reference, or found via the CRI image ID. */
  private async manifestDigest(image: string): Promise<string | undefined> {
    if (digestPattern.test(image)) {
      if ((await this.store.list(`target.digest==${image}`)).length > 0) return image;
      const byId = await this.cri.status(image);
      const name = byId && [...byId.repoTags, ...byId.repoDigests][0];
      return name ? (await this.store.get(name))?.target.digest : undefined;
    }
    const ref = tagOrDefault(parseReference(image));
    return (await this.store.get(formatReference(ref)))?.target.digest ?? ref.digest;
  }

  private describe(group: readonly ContainerdImage[], cri: { id: string; size: number; pinned: boolean } | undefined): RuntimeImage {
    return {
      id: cri?.id ?? group.find((image) => digestPattern.test(image.name))?.name ?? "",
      digests: [group[0]!.target.digest],
      tags: group.map((image) => image.name).filter((name) => !name.includes("@") && !digestPattern.test(name)),
      size: cri?.size ?? 0,
      pinned: (cri?.pinned ?? false) || group.some((image) => image.labels[pinnedLabel] === "pinned"),
    };
  }
}
