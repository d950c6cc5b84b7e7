import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface ProbeServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  ready: () => boolean;
  registry: Registry;
}

/** /healthz (the process answers), /readyz (caches synced) and /metrics (Prometheus text), on loopback by default. */
export async function startProbeServer(options: ProbeServerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return reply(res, 200, "text/plain", "ok");
    if (path === "/readyz") return options.ready() ? reply(res, 200, "text/plain", "ok") : reply(res, 503, "text/plain", "caches not synced");
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => reply(res, 200, options.registry.contentType, text),
        (err: Error) => reply(res, 500, "text/plain", err.message),
      );
      return;
    }
    reply(res, 404, "text/plain", "not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType });
  res.end(body);
}
