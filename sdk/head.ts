/** How an output is stored: JSON text, the bytes as given, or a table as Arrow IPC. */
export type Serialization = "json" | "bytes" | "arrow";

/** A step's HEAD file: which output is its most recent, when it was written, and how. */
export interface Head {
  /** ISO 8601, seconds precision, UTC: 2024-05-01T12:00:00+00:00 (Python's isoformat(timespec="seconds")). */
  readonly timestamp: string;
  readonly serialization: Serialization;
  readonly name: string;
}

const SERIALIZATIONS: readonly Serialization[] = ["json", "bytes", "arrow"];

export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** `timestamp; serialization; name`, one line. */
export function formatHead(head: Head): string {
  return `${head.timestamp}; ${head.serialization}; ${head.name}\n`;
}

export function parseHead(text: string, where: string): Head {
  const parts = text.replace(/\n$/, "").split("; ");
  const [timestamp, serialization, ...name] = parts;
  if (!timestamp || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/.test(timestamp) || !SERIALIZATIONS.includes(serialization as Serialization) || name.length !== 1) {
    throw new Error(`${where}: not a HEAD file ("timestamp; serialization; name" expected, got ${JSON.stringify(text.slice(0, 200))})`);
  }
  return { timestamp, serialization: serialization as Serialization, name: name[0]! };
}

/** Why a name cannot be an output name, or undefined: it must fit in the HEAD line. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "an output name cannot be empty";
  if (/[;\n\r]/.test(name)) return `output name ${JSON.stringify(name)} cannot contain ';' or a line break`;
  return undefined;
}
