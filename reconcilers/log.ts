export type LogLevel = "debug" | "info" | "error";

export type LogFields = Record<string, unknown>;

/** Structured logging: a message plus fields, never interpolated strings. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, error: 2 };

/** One JSON object per line, as log collectors expect (`ts`, `level`, `msg`, then the fields). */
export function jsonLogger(
  options: { level?: LogLevel; write?: (line: string) => void; fields?: LogFields } = {},
): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const base = options.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...base, ...serializable(fields) }));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => jsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  error: () => {},
  child: () => silentLogger,
};

// Errors have no enumerable fields; log their message instead of "{}".
function serializable(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? value.message : value;
  return out;
}
