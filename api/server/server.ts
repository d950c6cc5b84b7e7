import http from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger, type Logger } from "../../reconcilers/index.js";
import { Router, type RouteHandler } from "./router.js";

/**
 * The api's HTTP server. Route groups live in their own modules and register themselves with one line
 * each, e.g. `server.route("GET", "/builds/:name/logs", handler)`. A handler that throws answers 500.
 */
export class ApiServer {
  private readonly router = new Router();
  private readonly server: http.Server;

  constructor(private readonly logger: Logger = silentLogger) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  route(method: string, pattern: string, handler: RouteHandler): this {
    this.router.add(method, pattern, handler);
    return this;
  }

  /** Listens on host:port (0 picks a free port); resolves to the address actually bound. */
  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Stops listening and ends open connections (streaming responses included). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://api").pathname;
    const match = this.router.match(req.method ?? "GET", path);
    if ("status" in match) {
      const headers = match.allow ? { allow: match.allow.join(", ") } : undefined;
      return replyJson(res, match.status, { error: match.status === 404 ? `no route for ${path}` : `${req.method} is not allowed on ${path}` }, headers);
    }
    try {
      await match.handler(req, res, match.params);
    } catch (err) {
      this.logger.error("request failed", { method: req.method, path, error: err });
      if (!res.headersSent) replyJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    }
  }
}

export function replyJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

export function replyText(res: http.ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType }).end(body);
}
