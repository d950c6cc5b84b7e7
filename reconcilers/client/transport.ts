import * as http from "node:http";
import * as https from "node:https";
import { linkedSignal } from "../signals.js";
import type { KubeAccess } from "./kubeconfig.js";
import { ApiError, type StatusCause } from "./errors.js";
import { traceRequest } from "../tracing/index.js";
import { RequestCounter, verbOf } from "./request-counter.js";

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json; patches name their flavour (json-patch, merge-patch). */
  contentType?: string;
  signal?: AbortSignal;
  /** Bound of this request (a stream: until its headers arrive); the transport's default otherwise. */
  timeoutMs?: number;
}

export interface TransportOptions {
  /** Shared by several clients when a test or benchmark wants one total. */
  counter?: RequestCounter;
  /** Connections kept open to the apiserver for requests; watches and other streams have their own. */
  maxSockets?: number;
  /** Every request is bounded: a black-holed connection fails it instead of hanging it. Default 30 s. */
  requestTimeoutMs?: number;
}

/**
 * A thin REST transport over a kubeconfig (client-node's KubeConfig or `loadKubeConfig`'s reading), which
 * resolves credentials and TLS material (`applyToHTTPSOptions`), and node's https with keep-alive Agents carries the requests, so a reconcile
 * loop does not pay a TLS handshake per call. Requests and streams (watches, logs) use separate agents, so
 * long-lived watches never hold the sockets a write or a lease renewal needs. Every request is bounded in
 * time and counted.
 */
export class Transport {
  readonly counter: RequestCounter;
  private readonly server: URL;
  private readonly maxSockets: number;
  private readonly timeoutMs: number;
  private agents: { requests: http.Agent; streams: http.Agent } | undefined;

  constructor(
    private readonly kubeConfig: KubeAccess,
    options: TransportOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
    this.counter = options.counter ?? new RequestCounter();
    this.maxSockets = options.maxSockets ?? 64;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Sends one request and parses the JSON answer; a non-2xx answer throws an ApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const bounded = linkedSignal([options.signal], timeoutMs);
    try {
      const res = await this.send(method, path, { ...options, signal: bounded.signal }, "requests");
      const text = await readText(res);
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      if (bounded.signal.aborted && !options.signal?.aborted) throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms`, { cause: err });
      throw err;
    } finally {
      bounded.dispose();
    }
  }

  /** Opens a streaming GET (a watch, a log); the caller consumes and destroys the response. */
  async stream(path: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // The deadline bounds the opening; the caller's signal can end the stream for its whole life.
    const linked = linkedSignal([options.signal], timeoutMs);
    try {
      const res = await this.send("GET", path, { ...options, signal: linked.signal }, "streams");
      linked.stopTimer();
      res.once("close", () => linked.dispose());
      return res;
    } catch (err) {
      linked.dispose();
      if (linked.signal.aborted && !options.signal?.aborted) throw new Error(`GET ${path}: no answer within ${timeoutMs} ms`, { cause: err });
      throw err;
    }
  }

  close(): void {
    this.agents?.requests.destroy();
    this.agents?.streams.destroy();
    this.agents = undefined;
  }

  private async send(method: string, path: string, options: RequestOptions, agent: "requests" | "streams"): Promise<http.IncomingMessage> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.size > 0 ? `?${query}` : "";
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const requestOptions = await this.requestOptions(agent);
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
    const res = await traceRequest(method, path, () => new Promise<http.IncomingMessage>((resolve, reject) => {
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
    }));
    record(res.statusCode ?? 0);
    if ((res.statusCode ?? 0) >= 300) throw await apiErrorOf(res, method, path);
    return res;
  }

  // Credentials are resolved per request (tokens from exec plugins or files rotate); the TLS material and
  // the keep-alive agents are built once from the first answer.
  private async requestOptions(agent: "requests" | "streams"): Promise<https.RequestOptions> {
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    if (!this.agents) {
      const tls = {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        rejectUnauthorized: options.rejectUnauthorized,
        servername: options.servername,
      };
      // A stream holds its socket for its whole life: streams are not pooled to a limit.
      const make = (maxSockets: number) =>
        this.server.protocol === "https:"
          ? new https.Agent({ ...tls, keepAlive: true, maxSockets })
          : new http.Agent({ keepAlive: true, maxSockets });
      this.agents = { requests: make(this.maxSockets), streams: make(Infinity) };
    }
    const { headers, auth } = options;
    return { headers, auth, agent: this.agents[agent] };
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
