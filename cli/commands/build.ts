/** `orchest build logs NAME`: a build's log from the api (server-sent events), ending with its outcome. */
import { readBuildLog } from "../build-log-stream.js";
import { UsageError } from "../errors.js";
import { parse } from "../options.js";
import { BUILD_OPTIONS, BUILD_USAGE } from "./usage.js";

/** Where the api listens when neither --api nor ORCHEST_API_URL says otherwise (its --listen default). */
const DEFAULT_API = "http://127.0.0.1:8080";

/** Exit code by outcome: a build that failed, was cancelled or deleted is a failure; so is one that did not succeed when followed to its end. */
const FAILED_PHASES = new Set(["Failed", "Cancelled", "Deleted"]);
const outcomeExit = (phase: string, followed: boolean) => (FAILED_PHASES.has(phase) || (followed && phase !== "Succeeded") ? 1 : 0);

export async function buildCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, BUILD_OPTIONS, BUILD_USAGE, 2);
  const [subcommand, name] = positionals;
  if (subcommand !== "logs" || !name) throw new UsageError(`${subcommand && subcommand !== "logs" ? `unknown build command "${subcommand}"` : "a build name is needed"}\nusage: ${BUILD_USAGE}`);
  const api = values.api ?? process.env.ORCHEST_API_URL ?? DEFAULT_API;
  let url: URL;
  try {
    url = new URL(`builds/${encodeURIComponent(name)}/logs`, api.endsWith("/") ? api : `${api}/`);
  } catch {
    throw new UsageError(`--api "${api}" is not a URL: use for example --api ${DEFAULT_API}`);
  }
  // Like kubectl logs: -f follows to the build's end; without it, the log so far and the build's phase now.
  const followed = values.follow === true;
  if (!followed) url.searchParams.set("follow", "false");
  const outcome = await readBuildLog(url.href, {
    onLine: (text) => process.stdout.write(`${text}\n`),
    onNotice: (text) => process.stderr.write(`orchest: ${text}\n`),
  });
  const detail = [outcome.reason, outcome.message].filter(Boolean).join(": ");
  process.stderr.write(`build ${name} ${outcome.phase}${detail ? ` (${detail})` : ""}\n`);
  return outcomeExit(outcome.phase, followed);
}
