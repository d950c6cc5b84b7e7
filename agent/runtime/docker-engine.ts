import { readAll, send } from "../registry/http.js";

/** An error reply of the Docker Engine API: its status and the engine's own message. */
export class DockerEngineError extends Error {
  constructor(readonly operation: string, readonly status: number, engineMessage: string) {
    super(`docker engine refused to ${operation}: HTTP ${status}: ${engineMessage}`);
  }
}

/** One message of the engine's progress streams (pull, push). */
export interface ProgressMessage {
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { current?: number; total?: number };
  readonly aux?: Record<string, unknown>;
  readonly error?: string;
  readonly errorDetail?: { message?: string };
}

export interface EngineRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * The Docker Engine API over its unix socket, at a fixed API version so that request and reply shapes are
 * the documented ones (v1.41: Docker 20.10, the last engine the kubelet's dockershim supported).
 */
export class DockerEngine {
  constructor(private readonly socket: string, private readonly apiVersion = "v1.41") {}

  /** A JSON request; resolves with the parsed reply, or undefined for 404 when `missingOk`. */
  async json<T>(operation: string, req: EngineRequest, options: { missingOk?: boolean } = {}): Promise<T | undefined> {
    const res = await this.send(req);
    const body = (await readAll(res)).toString("utf8");
    if (res.status === 404 && options.missingOk) return undefined;
    if (res.status >= 400) throw new DockerEngineError(operation, res.status, engineMessage(body));
    return (body ? JSON.parse(body) : undefined) as T;
  }

  /**
   * A request answered with a progress stream. The engine says 200 before the work starts, so failures
   * arrive in-band as {"error": …} messages: those are thrown here.
   */
  async progress(operation: string, req: EngineRequest): Promise<ProgressMessage[]> {
    const res = await this.send(req);
    if (res.status >= 400) throw new DockerEngineError(operation, res.status, engineMessage((await readAll(res)).toString("utf8")));
    const messages: ProgressMessage[] = [];
    let pending = "";
    const take = (line: string) => {
      if (!line.trim()) return;
      const message = JSON.parse(line) as ProgressMessage;
      if (message.error || message.errorDetail) throw new DockerEngineError(operation, res.status, message.errorDetail?.message ?? message.error ?? "");
      messages.push(message);
    };
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      lines.forEach(take);
    }
    take(pending);
    return messages;
  }

  private send(req: EngineRequest) {
    const url = new URL(`http://docker/${this.apiVersion}${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return send({
      method: req.method,
      url,
      socketPath: this.socket,
      headers: { ...req.headers, ...(body && { "content-type": "application/json", "content-length": body.length }) },
      ...(body && { body }),
      // Pulls and pushes of large images go quiet between progress messages only briefly.
      idleTimeoutMs: 5 * 60_000,
    });
  }
}

function engineMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body.slice(0, 300);
  }
}

/** Image names go into paths as is (the engine routes /images/{name:.*}/…), each part escaped. */
export function imagePath(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}
