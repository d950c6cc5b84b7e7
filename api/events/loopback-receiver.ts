// Test support: a real HTTP receiver on 127.0.0.1 that records what it gets and answers as told.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

/** How to answer the n-th request: a status (and headers), or misbehave. */
export type Answer = { status: number; headers?: Record<string, string> } | "hang" | "reset";

export interface LoopbackReceiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** `answer(n)` decides the answer to the n-th request (from 0). */
export async function startReceiver(answer: (n: number, request: ReceivedRequest) => Answer): Promise<LoopbackReceiver> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: performance.now() };
      received.push(request);
      const reply = answer(received.length - 1, request);
      if (reply === "hang") return;
      if (reply === "reset") return void req.socket.destroy();
      res.writeHead(reply.status, reply.headers).end("receiver says hello");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
