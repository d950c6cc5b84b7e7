/** Orchest's serializations: an Arrow table or record batch as an IPC stream, anything else pickled. */
export type Serialization = "ARROW_TABLE" | "ARROW_BATCH" | "PICKLE";

/** A step's HEAD file: which output is its most recent, when it was written, and how. */
export interface Head {
  /** UTC, seconds precision, no offset: 2024-05-01T12:00:00 (Python's datetime.utcnow().isoformat(timespec="seconds")). */
  readonly timestamp: string;
  readonly serialization: Serialization;
  readonly name: string;
}

/** Orchest's SDK joins and splits the HEAD's parts by this; an output name cannot contain it. */
export const SEPARATOR = "; ";
/** The name under which outputs without a name are written, and the key under which getInputs() gathers them. */
export const UNNAMED = "unnamed";

const SERIALIZATIONS: readonly Serialization[] = ["ARROW_TABLE", "ARROW_BATCH", "PICKLE"];
// What Python's datetime.fromisoformat reads (Orchest's SDK checks the timestamp with it), the forms an SDK writes.
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d{3}(\d{3})?)?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

export function isoSeconds(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** `timestamp; serialization; name`, without a newline, as Orchest's SDK writes it. */
export function formatHead(head: Head): string {
  return [head.timestamp, head.serialization, head.name].join(SEPARATOR);
}

/**
 * The HEAD's last three parts: Orchest's in-memory transfer wrote a flag before them, its disk transfer did not.
 */
export function parseHead(text: string, where: string): Head {
  const parts = text.split(SEPARATOR);
  const [timestamp, serialization, name] = parts.slice(-3);
  if ((parts.length !== 3 && parts.length !== 4) || !ISO.test(timestamp!) || !SERIALIZATIONS.includes(serialization as Serialization)) {
    throw new Error(
      `${where}: not a HEAD file ("timestamp; serialization; name" with an ISO 8601 timestamp and one of ${SERIALIZATIONS.join(", ")} expected, got ${JSON.stringify(text.slice(0, 200))})`,
    );
  }
  return { timestamp: timestamp!, serialization: serialization as Serialization, name: name! };
}

/** Why a name cannot be an output name, or undefined: Orchest's SDK's rules. */
export function nameProblem(name: string): string | undefined {
  if (name === UNNAMED) return `'${UNNAMED}' is reserved for outputs without a name: pass null instead, or another name`;
  if (name.includes(SEPARATOR)) return `'${SEPARATOR}' cannot be part of an output name (got ${JSON.stringify(name)}): it separates the HEAD file's parts`;
  return undefined;
}
