/**
 * Reads a build's log from the api's server-sent events (GET /builds/NAME/logs): lines and notices as they
 * come, resuming after the last line id (Last-Event-ID) when the connection drops, until the outcome.
 */
import { CliError } from "./errors.js";

/** How a build ended (the data of the stream's `end` event). */
export interface BuildOutcome {
  readonly phase: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface BuildLogReader {
  readonly onLine: (text: string) => void;
  readonly onNotice: (text: string) => void;
  /** Wait before reconnecting. @default 1s */
  readonly retryMs?: number;
  /** Reconnections in a row without a new event before giving up. @default 10 */
  readonly maxRetries?: number;
}

interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/** Calls the reader for each line and notice, and resolves with the build's outcome. */
export async function readBuildLog(url: string, reader: BuildLogReader): Promise<BuildOutcome> {
  let lastId = "";
  let failures = 0;
  for (;;) {
    let problem: string;
    try {
      const headers: Record<string, string> = { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) };
      const res = await fetch(url, { headers });
      if (res.status === 404) throw new CliError(`${(await res.text()).trim() || "no such build"} (at ${url})`);
      if (res.status !== 200 || !res.body) throw new CliError(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      for await (const event of sseEvents(res.body)) {
        failures = 0;
        if (event.event === "log") {
          lastId = event.id ?? lastId;
          reader.onLine(event.data);
        } else if (event.event === "notice") reader.onNotice(event.data);
        else if (event.event === "end") return JSON.parse(event.data) as BuildOutcome;
      }
      problem = "the stream ended before the build's outcome";
    } catch (err) {
      if (err instanceof CliError) throw err;
      problem = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    }
    if (++failures > (reader.maxRetries ?? 10)) throw new CliError(`gave up reading ${url} after ${failures - 1} reconnections: ${problem}`);
    reader.onNotice(`reconnecting (${problem})`);
    await new Promise((resolve) => setTimeout(resolve, reader.retryMs ?? 1000));
  }
}

/** The events of a text/event-stream body; comments (keep-alives) are skipped. */
async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = /\r?\n\r?\n/.exec(buffer))) {
      const frame = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end[0].length);
      const event = parseFrame(frame);
      if (event) yield event;
    }
  }
}

function parseFrame(frame: string): SseEvent | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return undefined;
  return { event, data: data.join("\n"), ...(id !== undefined ? { id } : {}) };
}
