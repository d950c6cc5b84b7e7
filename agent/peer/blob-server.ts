import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { MediaType } from "../registry/media-types.js";

/** What a peer serves from: a node's content store, addressed by digest, with tags resolved by image name. */
export interface PeerContent {
  size(digest: string): Promise<number | undefined>;
  read(digest: string): AsyncIterable<Uint8Array>;
  /** Manifest digest of an image name such as "registry:5000/t/app:v1", if the node holds it. */
  resolve(name: string): Promise<string | undefined>;
}

export interface PeerServerOptions {
  readonly content: PeerContent;
  /** Address to listen on: the pod IP in a cluster, loopback in tests. */
  readonly host: string;
  readonly port?: number;
}

const digestPattern = /^sha256:[a-f0-9]{64}$/;
const route = /^\/v2\/(.+)\/(blobs|manifests)\/([^/]+)$/;

/**
 * The read-only half of the OCI distribution API over one node's images, so that other agents (and containerd's
 * resolver, configured with this peer as a mirror) pull from a node that has an image instead of the registry.
 * Mirror requests carry the upstream registry in `?ns=`, which is how a tag is resolved to a local image name.
 */
export class PeerBlobServer {
  /** Bytes of blobs and manifests sent to other nodes: what the registry did not have to serve. */
  bytesServed = 0;
  private constructor(private readonly server: Server) {}

  static async start(options: PeerServerOptions): Promise<PeerBlobServer> {
    const server = createServer();
    const peer = new PeerBlobServer(server);
    server.on("request", (req, res) => {
      peer.handle(options.content, req, res).catch((error: Error) => {
        if (!res.headersSent) reply(res, 500, "UNKNOWN", error.message);
        else res.destroy(error);
      });
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port ?? 0, options.host, resolve));
    return peer;
  }

  /** host:port, as a registry host in references and hosts.toml. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${address.includes(":") ? `[${address}]` : address}:${port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(content: PeerContent, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://peer");
    if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "UNSUPPORTED", "a peer serves reads only");
    if (url.pathname === "/v2/" || url.pathname === "/v2") return reply(res, 200);
    const match = route.exec(url.pathname);
    if (!match) return reply(res, 404, "NAME_UNKNOWN", `no route ${url.pathname}`);
    const [, name, kind, reference] = match as unknown as [string, string, "blobs" | "manifests", string];

    let digest: string | undefined = reference;
    if (!digestPattern.test(reference)) {
      const registry = url.searchParams.get("ns");
      digest = kind === "manifests" && registry ? await content.resolve(`${registry}/${name}:${reference}`) : undefined;
    }
    const size = digest && (await content.size(digest));
    if (!digest || size === undefined) return reply(res, 404, kind === "blobs" ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN", `${reference} is not on this node`);

    const headers: Record<string, string | number> = { "content-length": size, "docker-content-digest": digest };
    if (kind === "manifests") {
      // Manifests are small: read them whole to announce their media type, as the resolver needs.
      const bytes = await readWhole(content.read(digest));
      headers["content-type"] = manifestMediaType(bytes);
      res.writeHead(200, headers);
      if (req.method === "HEAD") return void res.end();
      this.bytesServed += bytes.length;
      return void res.end(bytes);
    }
    res.writeHead(200, { ...headers, "content-type": "application/octet-stream" });
    if (req.method === "HEAD") return void res.end();
    await pipeline(Readable.from(this.counted(content.read(digest))), res);
  }

  private async *counted(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.bytesServed += chunk.length;
      yield chunk;
    }
  }
}

function reply(res: ServerResponse, status: number, code?: string, message?: string): void {
  const body = code ? JSON.stringify({ errors: [{ code, message }] }) : "{}";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readWhole(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(Buffer.from(chunk));
  return Buffer.concat(all);
}

function manifestMediaType(bytes: Buffer): string {
  const doc = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; manifests?: unknown };
  return doc.mediaType ?? (doc.manifests ? MediaType.ociIndex : MediaType.ociManifest);
}
