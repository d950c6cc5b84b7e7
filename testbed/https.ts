import { request } from "node:https";
import { request as plainRequest } from "node:http";

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One HTTP(S) request to a loopback component of the test bed (readiness checks, metrics, etcd's JSON gateway). */
export function call(url: string, options: { method?: string; ca?: string | Buffer; token?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? request : plainRequest;
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const req = send(target, { method: options.method ?? "GET", ca: options.ca, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}
