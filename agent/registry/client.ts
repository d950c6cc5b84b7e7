import { digestOf, verifying, verifyDigest } from "./digest.js";
import { DigestMismatchError, ImageDistributionError, RegistryRefusedError, RegistryUnreachableError } from "./errors.js";
import { discard, readAll, send, type HttpRequest, type HttpResponse } from "./http.js";
import { type Descriptor } from "./manifest.js";
import { manifestAccept } from "./media-types.js";
import { formatReference, manifestReference, registryApiHost, type ImageReference } from "./reference.js";

/** A repository in a registry: where blobs and manifests live. */
export type Repository = Pick<ImageReference, "registry" | "repository">;

export interface RegistryClientOptions {
  /** Registries spoken to over plain HTTP (the test bed's, an in-cluster one without TLS); HTTPS otherwise. */
  readonly plainHttp?: (registry: string) => boolean;
  /** Extra CA bundle for HTTPS registries. */
  readonly ca?: string | Buffer;
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size. */
  readonly chunkSize?: number;
}

export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/** Bytes moved by one client: the benchmark's "bytes served by the registry". */
export interface TransferCounters {
  uploaded: number;
  downloaded: number;
}

/**
 * A client of the OCI distribution API (anonymous access): blob existence, upload (monolithic or chunked),
 * download, manifest get/put, tags. Every byte that crosses it is checked against its digest.
 */
export class RegistryClient {
  readonly transferred: TransferCounters = { uploaded: 0, downloaded: 0 };
  private readonly chunkSize: number;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.chunkSize = options.chunkSize ?? 16 << 20;
  }

  async hasBlob(repo: Repository, digest: string): Promise<boolean> {
    const url = this.url(repo, `blobs/${digest}`);
    const res = await this.call("check for a blob", { method: "HEAD", url });
    await discard(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    // HEAD replies have no body to explain themselves.
    throw new RegistryRefusedError("check for a blob", url.href, res.status, [], "");
  }

  /** Streams a blob, failing at the end if its bytes do not hash to the digest. */
  async *readBlob(repo: Repository, blob: Pick<Descriptor, "digest"> & { size?: number }): AsyncGenerator<Buffer> {
    let url = this.url(repo, `blobs/${blob.digest}`);
    let res = await this.call("download a blob", { method: "GET", url });
    // Registries with object storage redirect blob reads to it.
    if (res.status === 307 || res.status === 302) {
      await discard(res);
      url = new URL(res.headers.location!, url);
      res = await this.call("download a blob", { method: "GET", url });
    }
    if (res.status !== 200) throw await this.refused("download a blob", res, url);
    for await (const chunk of verifying(`blob ${blob.digest} from ${repo.registry}/${repo.repository}`, res.body, blob.digest, blob.size)) {
      this.transferred.downloaded += chunk.length;
      yield chunk;
    }
  }

  /**
   * Uploads a blob unless the repository already has it (HEAD first). `content` is only opened when the
   * upload happens; its bytes are verified against the digest before the upload is committed.
   */
  async uploadBlob(repo: Repository, blob: Pick<Descriptor, "digest" | "size">, content: () => AsyncIterable<Uint8Array>): Promise<"skipped" | "uploaded"> {
    if (await this.hasBlob(repo, blob.digest)) return "skipped";
    const start = this.url(repo, "blobs/uploads/");
    const opened = await this.call("start a blob upload", { method: "POST", url: start, headers: { "content-length": 0 } });
    if (opened.status !== 202) throw await this.refused("start a blob upload", opened, start);
    await discard(opened);
    let location = this.location(opened, start);
    const what = `blob ${blob.digest} for ${repo.registry}/${repo.repository}`;
    const bytes = verifying(what, content(), blob.digest, blob.size);
    try {
      if (blob.size <= this.chunkSize) {
        await this.commitUpload(location, blob, bytes, blob.size);
      } else {
        location = await this.uploadChunks(location, bytes);
        await this.commitUpload(location, blob, undefined, 0);
      }
    } catch (error) {
      await this.call("cancel a blob upload", { method: "DELETE", url: location }).then(discard, () => undefined);
      throw error;
    }
    return "uploaded";
  }

  private async uploadChunks(location: URL, bytes: AsyncIterable<Buffer>): Promise<URL> {
    let offset = 0;
    const patch = async (chunk: Buffer): Promise<void> => {
      const res = await this.call("upload a blob chunk", {
        method: "PATCH",
        url: location,
        headers: { "content-type": "application/octet-stream", "content-length": chunk.length, "content-range": `${offset}-${offset + chunk.length - 1}` },
        body: chunk,
      });
      if (res.status !== 202) throw await this.refused(`upload the chunk at ${offset}`, res, location);
      await discard(res);
      this.transferred.uploaded += chunk.length;
      offset += chunk.length;
      location = this.location(res, location);
    };
    let pending: Buffer[] = [];
    let pendingLength = 0;
    for await (const piece of bytes) {
      pending.push(piece);
      pendingLength += piece.length;
      while (pendingLength >= this.chunkSize) {
        const all = Buffer.concat(pending);
        await patch(all.subarray(0, this.chunkSize));
        pending = [all.subarray(this.chunkSize)];
        pendingLength = pending[0]!.length;
      }
    }
    if (pendingLength > 0) await patch(Buffer.concat(pending));
    return location;
  }

  private async commitUpload(location: URL, blob: Pick<Descriptor, "digest" | "size">, body: AsyncIterable<Buffer> | undefined, length: number): Promise<void> {
    const url = new URL(location);
    url.searchParams.set("digest", blob.digest);
    const counted = body && this.countUploaded(body);
    const res = await this.call("commit a blob upload", {
      method: "PUT",
      url,
      headers: { "content-type": "application/octet-stream", "content-length": length },
      ...(counted && { body: counted }),
    });
    const reply = await readAll(res);
    if (res.status !== 201) throw this.refusal("commit a blob upload", res, url, reply);
  }

  private async *countUploaded(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      this.transferred.uploaded += chunk.length;
      yield chunk;
    }
  }

  /** GETs a manifest by tag or digest, verifying it against the digest asked for or the one the registry announces. */
  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const url = this.url(ref, `manifests/${manifestReference(ref)}`);
    const res = await this.call(`get the manifest of ${formatReference(ref)}`, { method: "GET", url, headers: { accept: manifestAccept } });
    const bytes = await readAll(res);
    if (res.status !== 200) throw this.refusal(`get the manifest of ${formatReference(ref)}`, res, url, bytes);
    this.transferred.downloaded += bytes.length;
    const announced = header(res, "docker-content-digest");
    const expected = ref.digest ?? announced ?? digestOf(bytes);
    verifyDigest(`manifest of ${formatReference(ref)}`, bytes, expected);
    const mediaType = (header(res, "content-type") ?? "").split(";")[0]!.trim();
    return { digest: expected, mediaType, bytes };
  }

  /** PUTs a manifest under a tag or its digest; returns its digest after checking the registry stored those bytes. */
  async putManifest(repo: Repository, reference: string, mediaType: string, bytes: Uint8Array): Promise<string> {
    const url = this.url(repo, `manifests/${reference}`);
    const res = await this.call(`put the manifest ${reference}`, {
      method: "PUT",
      url,
      headers: { "content-type": mediaType, "content-length": bytes.length },
      body: bytes,
    });
    const reply = await readAll(res);
    if (res.status !== 201) throw this.refusal(`put the manifest ${repo.registry}/${repo.repository}:${reference}`, res, url, reply);
    this.transferred.uploaded += bytes.length;
    const digest = digestOf(bytes);
    const stored = header(res, "docker-content-digest");
    if (stored && stored !== digest) throw new DigestMismatchError(`manifest stored at ${url.href}`, digest, stored);
    return digest;
  }

  async listTags(repo: Repository): Promise<string[]> {
    const url = this.url(repo, "tags/list");
    const res = await this.call("list tags", { method: "GET", url });
    const body = await readAll(res);
    if (res.status === 404) return [];
    if (res.status !== 200) throw this.refusal("list tags", res, url, body);
    return (JSON.parse(body.toString("utf8")) as { tags?: string[] | null }).tags ?? [];
  }

  private url(repo: Repository, path: string): URL {
    const scheme = this.options.plainHttp?.(repo.registry) ? "http" : "https";
    return new URL(`${scheme}://${registryApiHost(repo.registry)}/v2/${repo.repository}/${path}`);
  }

  private location(res: HttpResponse, base: URL): URL {
    const location = header(res, "location");
    if (!location) throw new RegistryRefusedError("continue a blob upload", base.href, res.status, [], "the reply has no Location header");
    return new URL(location, base);
  }

  private async call(operation: string, req: Omit<HttpRequest, "ca">): Promise<HttpResponse> {
    try {
      return await send({ ...req, ...(this.options.ca && { ca: this.options.ca }) });
    } catch (error) {
      if (error instanceof ImageDistributionError) throw error;
      throw new RegistryUnreachableError(`${req.url.origin} (${operation})`, error as Error);
    }
  }

  private async refused(operation: string, res: HttpResponse, url: URL): Promise<RegistryRefusedError> {
    const body = await readAll(res).catch(() => Buffer.alloc(0));
    return this.refusal(operation, res, url, body);
  }

  /** Turns an unexpected reply into an error that carries the OCI error codes and messages of its body. */
  private refusal(operation: string, res: HttpResponse, url: URL, body: Buffer): RegistryRefusedError {
    let codes: string[] = [];
    let detail = body.toString("utf8").slice(0, 300).trim();
    try {
      const errors = (JSON.parse(body.toString("utf8")) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      codes = errors.flatMap((e) => (e.code ? [e.code] : []));
      detail = errors.map((e) => e.message).filter(Boolean).join("; ");
    } catch {
      // Not an OCI error document: keep the start of the raw body.
    }
    return new RegistryRefusedError(operation, url.href, res.status, codes, detail);
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
