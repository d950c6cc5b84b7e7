import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type { Serialization } from "./head.js";

/** An output as stored: how, and the bytes. */
export interface Encoded {
  readonly serialization: Serialization;
  readonly bytes: Uint8Array;
}

/** Tables as Arrow IPC (stream format), a Uint8Array/Buffer as its bytes, anything else as JSON. */
export function encode(data: unknown): Encoded {
  if (data instanceof Table) return { serialization: "arrow", bytes: tableToIPC(data, "stream") };
  if (data instanceof Uint8Array) return { serialization: "bytes", bytes: data };
  return { serialization: "json", bytes: Buffer.from(JSON.stringify(data), "utf8") };
}

/** The value `encode` was given: an apache-arrow Table, a Uint8Array, or the parsed JSON. */
export function decode(serialization: Serialization, bytes: Buffer): unknown {
  switch (serialization) {
    case "arrow":
      return tableFromIPC(bytes);
    case "bytes":
      return new Uint8Array(bytes);
    case "json":
      return JSON.parse(bytes.toString("utf8"));
  }
}
