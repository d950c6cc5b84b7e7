import type { IncomingMessage } from "node:http";

export type BodyRead = { ok: true; body: Buffer } | { ok: false; status: 400 | 413; reason: string };

/**
 * The request body, read as a stream and given up on as soon as it passes `limitBytes`, so an oversized or
 * endless body never sits in memory; a Content-Length over the limit is refused before reading at all.
 */
export function readLimitedBody(req: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  const tooLarge = (size: string): BodyRead => ({ ok: false, status: 413, reason: `is ${size}; the limit is ${limitBytes} bytes` });
  const declared = Number(req.headers["content-length"]);
  if (declared > limitBytes) {
    req.resume();
    return Promise.resolve(tooLarge(`${declared} bytes`));
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limitBytes) {
        req.off("data", onData);
        req.resume(); // drain what is still coming without keeping it, so the answer can be sent
        return resolve(tooLarge(`over ${limitBytes} bytes`));
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve({ ok: true, body: Buffer.concat(chunks) }));
    req.once("error", (err) => resolve({ ok: false, status: 400, reason: `could not be read: ${err.message}` }));
  });
}
