import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError, type StatusCause } from "./errors.js";
import { RequestCounter, verbOf } from "./request-counter.js";

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json; patches name their flavour (json-patch, merge-patch). */
  contentType?: string;
  signal?: AbortSignal;
}

export interface TransportOptions {
  /** Shared by several clients when a test or benchmark wants one total. */
  counter?: RequestCounter;
  /** Connections kept open to the apiserver; watches hold one each. */
  maxSockets?: number;
}

/**
 * A thin REST transport over a KubeConfig: client-node resolves credentials and TLS material
 * (`applyToHTTPSOptions`), and node's https with one keep-alive Agent carries the requests, so a reconcile
 * loop does not pay a TLS handshake per call. Every request is counted.
 */
export class Transport {
  readonly counter: RequestCounter;
  private readonly server: URL;
  private readonly maxSockets: number;
  private agent: http.Agent | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: TransportOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
    this.counter = options.counter ?? new RequestCounter();
    this.maxSockets = options.maxSockets ?? 64;
  }

  /** Sends one request and parses the JSON answer; a non-2xx answer throws an ApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await readText(res);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Opens a streaming GET (a watch); the caller consumes and destroys the response. */
  async stream(path: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
    return this.send("GET", path, options);
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.size > 0 ? `?${query}` : "";
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const requestOptions = await this.requestOptions();
    const headers: Record<string, string | number> = {
      ...(requestOptions.headers as Record<string, string>),
      accept: "application/json",
    };
    if (body !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const started = performance.now();
    const record = (status: number) =>
      this.counter.record({
        verb: verbOf(method, path, query),
        method,
        path,
        status,
        seconds: (performance.now() - started) / 1000,
      });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = (this.server.protocol === "https:" ? https : http).request(
        {
          ...requestOptions,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          path: `${this.server.pathname.replace(/\/$/, "")}${path}${search}`,
          method,
          headers,
          signal: options.signal,
        },
        resolve,
      );
      req.on("error", (err) => {
        record(0);
        reject(err);
      });
      req.end(body);
    });
    record(res.statusCode ?? 0);
    if ((res.statusCode ?? 0) >= 300) throw await apiErrorOf(res, method, path);
    return res;
  }

  // Credentials are resolved per request (tokens from exec plugins or files rotate); the TLS material and
  // the keep-alive agent are built once from the first answer.
  private async requestOptions(): Promise<https.RequestOptions> {
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    if (!this.agent) {
      const tls = {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        rejectUnauthorized: options.rejectUnauthorized,
        servername: options.servername,
      };
      this.agent =
        this.server.protocol === "https:"
          ? new https.Agent({ ...tls, keepAlive: true, maxSockets: this.maxSockets })
          : new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    }
    const { headers, auth } = options;
    return { headers, auth, agent: this.agent };
  }
}

async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function apiErrorOf(res: http.IncomingMessage, method: string, path: string): Promise<ApiError> {
  const text = await readText(res);
  let reason = res.statusMessage ?? "";
  let message = text;
  let causes: StatusCause[] = [];
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string; details?: { causes?: StatusCause[] } };
    reason = status.reason ?? reason;
    message = status.message ?? text;
    causes = status.details?.causes ?? [];
  } catch {
    // not a Status object (e.g. a proxy's HTML page): keep the raw text
  }
  return new ApiError(res.statusCode ?? 0, reason, message, method, path, causes);
}
