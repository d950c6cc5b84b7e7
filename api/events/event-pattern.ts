import { EVENT_TYPES } from "./event-types.js";

/**
 * Event-type patterns of subscribers: an exact type ("project:created"), everything under an entity
 * ("project:one-off-job:*", which includes its pipeline runs), or everything ("*").
 */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(":*")) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Why a pattern can never match anything, or undefined when it is fine: catches typos at admission. */
export function patternProblem(pattern: string): string | undefined {
  if (EVENT_TYPES.some((type) => matchesPattern(pattern, type))) return undefined;
  return pattern.includes("*") && !pattern.endsWith(":*") && pattern !== "*"
    ? `"${pattern}": a wildcard may only end a pattern, as in project:one-off-job:*`
    : `"${pattern}" matches no event type`;
}
