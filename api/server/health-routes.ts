import type { Registry } from "prom-client";
import { replyText, type ApiServer } from "./server.js";

export interface HealthSources {
  /** Ready to serve: e.g. the manager's caches have synced. */
  ready: () => boolean;
  registry: Registry;
}

/** /healthz (the process answers), /readyz (ready to serve) and /metrics (Prometheus text format). */
export function registerHealthRoutes(server: ApiServer, sources: HealthSources): void {
  server
    .route("GET", "/healthz", (_req, res) => replyText(res, 200, "ok"))
    .route("GET", "/readyz", (_req, res) => (sources.ready() ? replyText(res, 200, "ok") : replyText(res, 503, "caches not synced")))
    .route("GET", "/metrics", async (_req, res) => replyText(res, 200, await sources.registry.metrics(), sources.registry.contentType));
}
