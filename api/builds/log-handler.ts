import type { IncomingMessage, ServerResponse } from "node:http";
import type { BuildLogs } from "./build-logs.js";
import type { LogEvent } from "./build-log.js";

/**
 * GET /builds/:name/logs: followed by default; with ?follow=false the log as it is now, ending with the build's
 * current phase (kubectl logs without -f).
 */
export async function serveBuildLog(logs: BuildLogs, namespace: string, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (new URL(req.url ?? "/", "http://api").searchParams.get("follow") !== "false") return streamBuildLog(logs, namespace, name, req, res);
  const events = await logs.snapshot(namespace, name);
  if (!events) return notFound(res, namespace, name);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.end(events.map(sseFrame).join(""));
}

function notFound(res: ServerResponse, namespace: string, name: string): void {
  res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no ImageBuild ${namespace}/${name}` }));
}

/**
 * The live log of build namespace/name as server-sent events: `log` events (id = line number, so that
 * EventSource resumes after Last-Event-ID), `notice` events, and a final `end` event whose data is the
 * outcome as JSON; 404 when there is no such build.
 */
export function streamBuildLog(logs: BuildLogs, namespace: string, name: string, req: IncomingMessage, res: ServerResponse, keepAliveMs = 15_000): void {
  const log = logs.logOf(namespace, name);
  if (!log) return notFound(res, namespace, name);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  const afterId = Number(req.headers["last-event-id"] ?? 0) || 0;
  const send = (event: LogEvent) => {
    res.write(sseFrame(event));
    if (event.kind === "end") close();
  };
  // Proxies close idle connections: a comment now and then keeps a quiet build's stream open.
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), keepAliveMs);
  const { backlog, unsubscribe } = log.subscribe(send, afterId);
  const close = () => {
    clearInterval(keepAlive);
    unsubscribe();
    res.end();
  };
  res.on("close", close);
  for (const event of backlog) send(event);
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
