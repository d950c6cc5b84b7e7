import type { IncomingMessage, ServerResponse } from "node:http";
import type { BuildLogs } from "./build-logs.js";
import type { LogEvent } from "./build-log.js";

const ROUTE = /^\/api\/builds\/([a-z0-9][a-z0-9-]{0,62})\/([a-z0-9][a-z0-9.-]{0,252})\/logs$/;

/**
 * GET /api/builds/{namespace}/{name}/logs as server-sent events: `log` events (id = line number, so that
 * EventSource resumes after Last-Event-ID), `notice` events, and a final `end` event whose data is the
 * outcome as JSON. Returns false for requests that are not its route, so that a server can chain handlers.
 */
export function buildLogsHandler(logs: BuildLogs, options: { keepAliveMs?: number } = {}) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const match = ROUTE.exec(new URL(req.url ?? "/", "http://localhost").pathname);
    if (!match) return false;
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET", "content-type": "text/plain" }).end("only GET\n");
      return true;
    }
    const log = logs.logOf(match[1]!, match[2]!);
    if (!log) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`no ImageBuild ${match[1]}/${match[2]}\n`);
      return true;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    const afterId = Number(req.headers["last-event-id"] ?? 0) || 0;
    const send = (event: LogEvent) => {
      res.write(sseFrame(event));
      if (event.kind === "end") close();
    };
    // Proxies close idle connections: a comment now and then keeps a quiet build's stream open.
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), options.keepAliveMs ?? 15_000);
    const { backlog, unsubscribe } = log.subscribe(send, afterId);
    const close = () => {
      clearInterval(keepAlive);
      unsubscribe();
      res.end();
    };
    res.on("close", close);
    for (const event of backlog) send(event);
    return true;
  };
}

/** One event in the text/event-stream format; data never holds a line break (each is its own data line). */
export function sseFrame(event: LogEvent): string {
  const data = (text: string) => text.split(/\r?\n|\r/).map((l) => `data: ${l}\n`).join("");
  switch (event.kind) {
    case "line":
      return `id: ${event.id}\nevent: log\n${data(event.text)}\n`;
    case "notice":
      return `event: notice\n${data(event.text)}\n`;
    case "end":
      return `event: end\n${data(JSON.stringify(event.outcome))}\n`;
  }
}
