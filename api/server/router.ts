import type { IncomingMessage, ServerResponse } from "node:http";

/** Values of a pattern's `:name` segments, e.g. { name: "build-1" } for /builds/:name/logs. */
export type RouteParams = Record<string, string>;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams) => void | Promise<void>;

export type RouteMatch = { handler: RouteHandler; params: RouteParams } | { status: 404 | 405; allow?: string[] };

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** Method + path patterns with `:name` segments; the first registered match wins. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): void {
    if (!pattern.startsWith("/")) throw new Error(`route pattern "${pattern}" must start with /`);
    this.routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
  }

  match(method: string, path: string): RouteMatch {
    const segments = split(path);
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { handler: route.handler, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { status: 405, allow } : { status: 404 };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchSegments(pattern: readonly string[], path: readonly string[]): RouteParams | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: RouteParams = {};
  for (const [i, segment] of pattern.entries()) {
    const actual = path[i]!;
    if (segment.startsWith(":")) {
      let value: string;
      try {
        value = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      params[segment.slice(1)] = value;
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}
