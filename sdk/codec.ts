import { RecordBatch, RecordBatchStreamWriter, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type { Serialization } from "./head.js";
import { pickleDump } from "./pickle-dump.js";
import { pickleLoad } from "./pickle-load.js";

/** An output as stored: how, and the bytes. */
export interface Encoded {
  readonly serialization: Serialization;
  readonly bytes: Uint8Array;
}

/** As Orchest's SDK: a Table or a RecordBatch as an Arrow IPC stream, anything else pickled. */
export function encode(data: unknown): Encoded {
  if (data instanceof Table) return { serialization: "ARROW_TABLE", bytes: tableToIPC(data, "stream") };
  if (data instanceof RecordBatch) return { serialization: "ARROW_BATCH", bytes: RecordBatchStreamWriter.writeAll([data]).toUint8Array(true) };
  return { serialization: "PICKLE", bytes: pickleDump(data) };
}

/** The value `encode` was given (or Orchest's Python SDK output): an apache-arrow Table or RecordBatch, or plain data. */
export function decode(serialization: Serialization, bytes: Buffer, where: string): unknown {
  switch (serialization) {
    case "ARROW_TABLE":
      return tableFromIPC(bytes);
    case "ARROW_BATCH":
      // Orchest's SDK reads the first batch, the only one written.
      return tableFromIPC(bytes).batches[0];
    case "PICKLE":
      return pickleLoad(bytes, where);
  }
}
