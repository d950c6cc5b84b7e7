import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** Whole bytes, or a stream of chunks (then set content-length yourself, or it goes chunked). */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Talk HTTP over this unix socket instead of TCP (the Docker Engine API). */
  readonly socketPath?: string;
  /** Extra CA bundle for HTTPS registries with a private CA (the in-cluster registry's TLS Secret). */
  readonly ca?: string | Buffer;
  /** Idle time after which the request fails: a stuck registry must not hold a pull slot forever. */
  readonly idleTimeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

/**
 * One HTTP exchange with a streamed response. Errors thrown while producing a streamed request body
 * (e.g. a digest check) reject with that error, not with a socket error.
 */
export function send(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const open = req.url.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = open(req.url, {
      method: req.method,
      headers: req.headers as Record<string, string | number> | undefined,
      ...(req.socketPath && { socketPath: req.socketPath }),
      ...(req.ca && { ca: req.ca }),
      timeout: req.idleTimeoutMs ?? 60_000,
    });
    let bodyError: Error | undefined;
    outgoing.on("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
    outgoing.on("timeout", () => outgoing.destroy(new Error(`${req.method} ${req.url.href}: no data for ${(req.idleTimeoutMs ?? 60_000) / 1000}s`)));
    outgoing.on("error", (error) => reject(bodyError ?? error));
    const body = req.body;
    if (body === undefined || body instanceof Uint8Array) {
      outgoing.end(body);
      return;
    }
    pipeline(Readable.from(body, { objectMode: false }), outgoing).catch((error: Error) => {
      bodyError = error;
      outgoing.destroy(error);
      reject(error);
    });
  });
}

/** Reads a whole response body: for manifests, JSON and error documents, never for blobs. */
export async function readAll(res: HttpResponse, limit = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      res.body.destroy();
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains a body we do not need so that the keep-alive connection can be reused. */
export async function discard(res: HttpResponse): Promise<void> {
  res.body.resume();
  await new Promise<void>((resolve) => (res.body.complete ? resolve() : res.body.once("close", resolve)));
}
