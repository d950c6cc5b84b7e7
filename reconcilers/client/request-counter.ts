export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export const WRITE_VERBS: readonly Verb[] = ["create", "update", "patch", "delete", "deletecollection"];

export interface RequestRecord {
  verb: Verb;
  method: string;
  path: string;
  status: number;
  seconds: number;
}

/**
 * Counts the requests a client sends, by verb. Tests and benchmarks read it to prove "steady state makes
 * zero writes"; the manager forwards each record to its rest_client metrics through `onRequest`.
 */
export class RequestCounter {
  private readonly counts = new Map<Verb, number>();
  private readonly listeners: Array<(record: RequestRecord) => void> = [];

  record(record: RequestRecord): void {
    this.counts.set(record.verb, (this.counts.get(record.verb) ?? 0) + 1);
    for (const listener of this.listeners) listener(record);
  }

  onRequest(listener: (record: RequestRecord) => void): void {
    this.listeners.push(listener);
  }

  count(verb: Verb): number {
    return this.counts.get(verb) ?? 0;
  }

  writes(): number {
    return WRITE_VERBS.reduce((sum, verb) => sum + this.count(verb), 0);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** The Kubernetes verb of an HTTP request, as the apiserver's own request metrics name it. */
export function verbOf(method: string, path: string, query: URLSearchParams): Verb {
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return isCollectionPath(path) ? "deletecollection" : "delete";
    default:
      if (query.get("watch") === "true" || query.get("watch") === "1") return "watch";
      return isCollectionPath(path) ? "list" : "get";
  }
}

// Collection paths end with a resource plural: /api/v1/pods, /api/v1/namespaces/ns/pods, /apis/g/v/plural.
// Object paths add a name (and maybe a subresource). Counting segments after the version tells them apart.
function isCollectionPath(path: string): boolean {
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  const afterVersion = segments[0] === "api" ? segments.slice(2) : segments.slice(3);
  const rest = afterVersion[0] === "namespaces" && afterVersion.length >= 3 ? afterVersion.slice(2) : afterVersion;
  return rest.length === 1;
}
