/**
 * Argument parsing on node:util parseArgs, with parse errors turned into
 * usage errors that quote the command's usage line.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

/** Flags of one command, as node:util parseArgs reads them (completion reads them too). */
export type Options = NonNullable<ParseArgsConfig["options"]>;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** Flags every command that talks to a cluster accepts. */
export const NAMESPACE_OPTION = { namespace: { type: "string", short: "n" } } as const satisfies Options;
/** `--timeout DURATION` of the commands that wait. */
export const TIMEOUT_OPTION = { timeout: { type: "string" } } as const satisfies Options;

/** Parses `args` for one command; unknown flags and bad values are usage errors. */
export function parse<O extends Options>(args: readonly string[], options: O, usage: string, maxPositionals = 0): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"\nusage: ${usage}`);
  }
  return parsed;
}

/** One value among `allowed`, or a usage error naming the flag and the choices. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(", ")}: use for example ${flag} ${allowed[0]}`);
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as 90s, 10m or 1h, in milliseconds (`--timeout`). */
export function duration(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match) throw new UsageError(`${flag} "${value}" is not a duration: use a number with a unit, e.g. ${flag} 90s or ${flag} 10m`);
  return Number(match[1]) * UNITS[match[2]!]!;
}
