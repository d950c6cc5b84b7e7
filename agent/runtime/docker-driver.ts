import { PlatformMismatchError } from "../registry/errors.js";
import { formatPlatform, hostPlatform } from "../registry/manifest.js";
import { type PushResult } from "../registry/push.js";
import { defaultTag, formatReference, parseReference } from "../registry/reference.js";
import { DockerEngine, DockerEngineError, imagePath, type ProgressMessage } from "./docker-engine.js";
import { ImageNotFoundError, type ImageFilesystemUsage, type RuntimeDriver, type RuntimeImage } from "./driver.js";

/** Label of the holder containers that pin images (see pin()). */
export const pinLabel = "orchest.io/pinned-image";

const digestPattern = /^sha256:[a-f0-9]{64}$/;
/** Docker sends "X-Registry-Auth" on push always; "{}" is anonymous (credentials come from the daemon's config). */
const anonymousAuth = Buffer.from("{}").toString("base64");

interface EngineImage {
  readonly Id: string;
  readonly RepoTags: string[] | null;
  readonly RepoDigests: string[] | null;
  readonly Size: number;
}

interface EngineContainer {
  readonly Id: string;
  readonly ImageID: string;
  readonly Labels: Record<string, string> | null;
}

/**
 * Docker, through the Docker Engine API. Docker keeps no manifest digest for an image it built until the image
 * has been pushed or pulled (RepoDigests), and pushes itself (its daemon's registry configuration applies).
 */
export class DockerDriver implements RuntimeDriver {
  readonly runtime = "docker";
  private readonly engine: DockerEngine;

  constructor(socket: string) {
    this.engine = new DockerEngine(socket);
  }

  async list(): Promise<RuntimeImage[]> {
    const [images, pinned] = await Promise.all([
      this.engine.json<EngineImage[]>("list images", { method: "GET", path: "/images/json" }),
      this.pinnedIds(),
    ]);
    return images!.map((image) => describe(image, pinned));
  }

  async inspect(image: string): Promise<RuntimeImage | undefined> {
    if (digestPattern.test(image)) return (await this.list()).find((i) => i.id === image || i.digests.includes(image));
    const found = await this.engine.json<EngineImage>(`inspect ${image}`, { method: "GET", path: `/images/${imagePath(image)}/json` }, { missingOk: true });
    return found && describe(found, await this.pinnedIds());
  }

  async pull(reference: string): Promise<RuntimeImage> {
    const ref = parseReference(reference);
    const name = formatReference(ref);
    try {
      await this.engine.progress(`pull ${name}`, {
        method: "POST",
        path: "/images/create",
        query: { fromImage: `${ref.registry}/${ref.repository}`, tag: ref.digest ?? ref.tag ?? defaultTag },
      });
    } catch (error) {
      if (/no matching manifest for/.test((error as Error).message)) throw new PlatformMismatchError(name, formatPlatform(hostPlatform()), []);
      throw error;
    }
    const pulled = await this.inspect(ref.digest ? `${ref.registry}/${ref.repository}@${ref.digest}` : `${ref.registry}/${ref.repository}:${ref.tag ?? defaultTag}`);
    if (!pulled) throw new Error(`docker pulled ${name} but does not list it`);
    return pulled;
  }

  async push(image: string, reference: string): Promise<PushResult> {
    const held = await this.held(image);
    const ref = parseReference(reference);
    const repo = `${ref.registry}/${ref.repository}`;
    const tag = ref.tag ?? defaultTag;
    // The engine pushes names, not images: give the image the target name first.
    await this.engine.json(`tag ${image} as ${repo}:${tag}`, { method: "POST", path: `/images/${imagePath(held.id)}/tag`, query: { repo, tag } });
    const messages = await this.engine.progress(`push ${repo}:${tag}`, {
      method: "POST",
      path: `/images/${imagePath(repo)}/push`,
      query: { tag },
      headers: { "X-Registry-Auth": anonymousAuth },
    });
    return pushResult(messages, `${repo}:${tag}`);
  }

  async remove(image: string): Promise<void> {
    const held = await this.inspect(image);
    if (!held) return;
    await this.unpin(held.id);
    // Without force the engine refuses to drop an image by ID while it has several names: drop each name.
    const names = [...held.tags, ...(await this.repoDigestNames(held.id))];
    for (const name of names) await this.engine.json(`remove ${name}`, { method: "DELETE", path: `/images/${imagePath(name)}` }, { missingOk: true });
    await this.engine.json(`remove ${held.id}`, { method: "DELETE", path: `/images/${imagePath(held.id)}` }, { missingOk: true });
  }

  /**
   * Docker has no pin. An image that a container uses cannot be removed without force, and the kubelet
   * (dockershim, cri-dockerd) removes images without force: a created, never started holder container
   * therefore keeps the image through the kubelet's image GC.
   */
  async pin(image: string): Promise<void> {
    const held = await this.held(image);
    try {
      await this.engine.json(`pin ${image}`, {
        method: "POST",
        path: "/containers/create",
        query: { name: holderName(held.id) },
        // Never started: the command only has to exist in the config, not in the image.
        body: { Image: held.id, Cmd: ["/orchest-pin-holder"], Labels: { [pinLabel]: held.id }, NetworkDisabled: true },
      });
    } catch (error) {
      // 409: the holder exists, the image is already pinned.
      if (!(error instanceof DockerEngineError && error.status === 409)) throw error;
    }
  }

  async unpin(image: string): Promise<void> {
    const held = await this.inspect(image);
    if (!held) return;
    await this.engine.json(`unpin ${image}`, { method: "DELETE", path: `/containers/${holderName(held.id)}`, query: { force: "true" } }, { missingOk: true });
  }

  async imageFilesystem(): Promise<ImageFilesystemUsage> {
    const [df, info] = await Promise.all([
      this.engine.json<{ LayersSize: number }>("report disk usage", { method: "GET", path: "/system/df" }),
      this.engine.json<{ DockerRootDir: string }>("report its root", { method: "GET", path: "/info" }),
    ]);
    return { usedBytes: df!.LayersSize, mountpoint: info!.DockerRootDir };
  }

  close(): void {
    // Plain HTTP requests per call: nothing held open.
  }

  private async held(image: string): Promise<RuntimeImage> {
    const found = await this.inspect(image);
    if (!found) throw new ImageNotFoundError(image, "the docker engine");
    return found;
  }

  private async pinnedIds(): Promise<Set<string>> {
    const holders = await this.engine.json<EngineContainer[]>("list pin holders", {
      method: "GET",
      path: "/containers/json",
      query: { all: "true", filters: JSON.stringify({ label: [pinLabel] }) },
    });
    return new Set(holders!.map((c) => c.ImageID));
  }

  private async repoDigestNames(id: string): Promise<string[]> {
    const image = await this.engine.json<EngineImage>(`inspect ${id}`, { method: "GET", path: `/images/${imagePath(id)}/json` }, { missingOk: true });
    return image?.RepoDigests ?? [];
  }
}

function holderName(imageId: string): string {
  return `orchest-pin-${imageId.replace(/^sha256:/, "").slice(0, 12)}`;
}

function describe(image: EngineImage, pinned: ReadonlySet<string>): RuntimeImage {
  const tags = (image.RepoTags ?? []).filter((t) => t !== "<none>:<none>").map((t) => formatReference(parseReference(t)));
  const digests = [...new Set((image.RepoDigests ?? []).map((d) => d.slice(d.indexOf("@") + 1)))];
  return { id: image.Id, digests, tags, size: image.Size, pinned: pinned.has(image.Id) };
}

/** Reads what the push did from its progress stream: per-layer statuses and the final aux digest. */
function pushResult(messages: readonly ProgressMessage[], name: string): PushResult {
  const digest = messages.map((m) => m.aux?.Digest).find((d): d is string => typeof d === "string");
  if (!digest) throw new Error(`docker pushed ${name} but reported no digest`);
  const layerStatus = new Map<string, string>();
  const layerSize = new Map<string, number>();
  for (const m of messages) {
    if (!m.id) continue;
    // A layer ends "Pushed" (sent), "Layer already exists" or "Mounted from <repository>" (the registry had it).
    if (m.status === "Pushed" || m.status === "Layer already exists" || m.status?.startsWith("Mounted from ")) layerStatus.set(m.id, m.status);
    if (m.progressDetail?.total) layerSize.set(m.id, Math.max(layerSize.get(m.id) ?? 0, m.progressDetail.total));
  }
  const pushed = [...layerStatus].filter(([, status]) => status === "Pushed").map(([id]) => id);
  return {
    digest,
    blobsUploaded: pushed.length,
    blobsSkipped: layerStatus.size - pushed.length,
    // Docker reports layer sizes before compression: an estimate of the bytes sent.
    bytesUploaded: pushed.reduce((sum, id) => sum + (layerSize.get(id) ?? 0), 0),
  };
}
