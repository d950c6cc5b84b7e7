import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { AddressPolicy } from "./address-policy.js";
import { AddressRefusedError, guardedLookup, type Resolver } from "./guarded-lookup.js";
import { parseRetryAfter } from "./retry-after.js";

/** One POST of a delivery (a signed webhook, or an analytics capture). */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came of one attempt, in the terms the retry logic needs. */
export type AttemptResult =
  /** The receiver answered 2xx. */
  | { outcome: "delivered"; statusCode: number }
  /** Worth another try: a non-2xx answer, a timeout, a refused or reset connection. */
  | { outcome: "failed"; statusCode?: number; error: string; retryAfterMs?: number }
  /** 410 Gone: the receiver says this endpoint no longer exists, stop sending to it. */
  | { outcome: "gone"; statusCode: 410 }
  /** The address policy forbids the target: retrying cannot help. */
  | { outcome: "refused"; error: string };

export interface DeliveryClientOptions {
  addressPolicy: AddressPolicy;
  /** Deadline of an attempt from the moment it has a connection to the answer's last byte. Default 15 s, as Svix. */
  timeoutMs?: number;
  /** Concurrent connections per endpoint (host and port); further attempts queue. Default 8. */
  maxSocketsPerEndpoint?: number;
  resolve?: Resolver;
}

const ERROR_SNIPPET_CHARS = 256;

/**
 * POSTs deliveries. Concurrent across endpoints and bounded per endpoint by the agents' socket pools;
 * redirects are never followed (node's http does not, and 3xx counts as a failure); every address
 * dialled is checked against the address policy at connect time.
 */
export class DeliveryClient {
  private readonly policy: AddressPolicy;
  private readonly timeoutMs: number;
  private readonly agents: Record<"http:" | "https:", http.Agent>;

  constructor(options: DeliveryClientOptions) {
    this.policy = options.addressPolicy;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerEndpoint ?? 8, lookup: guardedLookup(this.policy, options.resolve) };
    this.agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  }

  post(request: DeliveryRequest): Promise<AttemptResult> {
    const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
    if (url?.protocol !== "http:" && url?.protocol !== "https:") {
      return Promise.resolve({ outcome: "refused", error: `${request.url} is not an http(s) URL` });
    }
    // A literal IP is dialled without any lookup, so the policy is checked here as well.
    const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const refusal = isIP(literal) ? this.policy.refusal(literal) : undefined;
    if (refusal) return Promise.resolve({ outcome: "refused", error: refusal });
    return this.send(url, request);
  }

  /** Closes idle keep-alive connections; attempts in flight fail. */
  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private send(url: URL, request: DeliveryRequest): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const transport = url.protocol === "https:" ? https : http;
      const req = transport.request(url, {
        method: "POST",
        agent: this.agents[url.protocol as "http:" | "https:"],
        headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
      });
      // The clock starts once a pooled socket is assigned: waiting for a free one is not the receiver's fault.
      req.on("socket", () => {
        timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      req.on("response", (res) => {
        let snippet = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (snippet.length < ERROR_SNIPPET_CHARS) snippet += chunk.slice(0, ERROR_SNIPPET_CHARS - snippet.length);
        });
        res.on("end", () => settle(classify(res, snippet)));
        res.on("error", (error) => settle({ outcome: "failed", statusCode: res.statusCode, error: describe(error) }));
        res.on("close", () => settle({ outcome: "failed", statusCode: res.statusCode, error: "the answer was cut off" }));
      });
      req.on("error", (error) =>
        settle(error instanceof AddressRefusedError ? { outcome: "refused", error: error.message } : { outcome: "failed", error: describe(error) }),
      );
      req.end(request.body);
    });
  }
}

function classify(res: http.IncomingMessage, snippet: string): AttemptResult {
  const statusCode = res.statusCode ?? 0;
  if (statusCode >= 200 && statusCode < 300) return { outcome: "delivered", statusCode };
  if (statusCode === 410) return { outcome: "gone", statusCode };
  const error =
    statusCode >= 300 && statusCode < 400
      ? `HTTP ${statusCode}: redirect to ${res.headers.location ?? "nowhere"} not followed`
      : `HTTP ${statusCode}${snippet.trim() ? `: ${snippet.trim().replace(/\s+/g, " ")}` : ""}`;
  const retryAfterMs = parseRetryAfter(res.headers["retry-after"], new Date());
  return { outcome: "failed", statusCode, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

function describe(error: NodeJS.ErrnoException): string {
  return error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
}
