// Test support: a real HTTP receiver (on 127.0.0.1 by default) that records what it gets and answers as told.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

/**
 * How to answer the n-th request: a status (and headers), or misbehave. "hang" never answers (the client's
 * deadline ends it); "hold" answers 200 once the test calls `releaseHeld()`.
 */
export type Answer = { status: number; headers?: Record<string, string> } | "hang" | "hold" | "reset";

export interface LoopbackReceiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Requests that arrived and have neither been answered nor dropped by the client. */
  readonly inFlight: number;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  /** Answers every held request 200; returns how many there were. */
  releaseHeld(): number;
  close(): Promise<void>;
}

/**
 * `answer(n)` decides the answer to the n-th request (from 0). `host`: where it listens, loopback unless a test
 * of the test bed's real nodes needs it on the bridge's host address, which their pods reach.
 */
export async function startReceiver(answer: (n: number, request: ReceivedRequest) => Answer, host = "127.0.0.1"): Promise<LoopbackReceiver> {
  const received: ReceivedRequest[] = [];
  const held: http.ServerResponse[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    // "close" ends every request exactly once: answered, reset, or given up by the client.
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: performance.now() };
      received.push(request);
      const reply = answer(received.length - 1, request);
      if (reply === "hang") return;
      if (reply === "hold") return void held.push(res);
      if (reply === "reset") return void req.socket.destroy();
      res.writeHead(reply.status, reply.headers).end("receiver says hello");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hooks`,
    port,
    received,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    releaseHeld: () => {
      const released = held.splice(0);
      for (const res of released) res.writeHead(200).end("receiver says hello");
      return released.length;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
