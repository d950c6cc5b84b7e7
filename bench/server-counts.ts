// What the control plane itself counted: the apiserver's requests on one resource (apiserver_request_total)
// and etcd's database size. The benchmarks print them beside their latencies: clocks on a shared machine
// vary, these counts do not.
import type { KubeClient, KubeObject } from "../reconcilers/index.js";
import { call } from "../testbed/https.js";
import { apiserverGet, type Testbed } from "../testbed/index.js";

/** Requests the apiserver counted on `resource` (e.g. "eventdeliveries"), by verb and subresource: "PATCH status". */
export type RequestCounts = Readonly<Record<string, number>>;

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"]);

// The apiserver counts a delete-collection as a DELETE of a namespace (or cluster) scope.
const verbOf = (labels: Record<string, string>) => (labels.verb === "DELETE" && labels.scope !== "resource" ? "DELETECOLLECTION" : labels.verb!);
const resourceOf = (labels: Record<string, string>) => (labels.subresource ? `${labels.resource}/${labels.subresource}` : labels.resource!);

/** `metric` (apiserver_request_total unless told) summed by `keyOf` of each series' labels; series it gives no key are left out. */
async function countBy(tb: Pick<Testbed, "kubeConfig">, keyOf: (labels: Record<string, string>) => string | undefined, metric = "apiserver_request_total"): Promise<RequestCounts> {
  const counts: Record<string, number> = {};
  for (const line of (await apiserverGet(tb.kubeConfig, "/metrics")).split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const key = keyOf(Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])));
    if (key !== undefined) counts[key] = (counts[key] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return counts;
}

export function requestCounts(tb: Pick<Testbed, "kubeConfig">, resource: string): Promise<RequestCounts> {
  return countBy(tb, (labels) => (labels.resource !== resource ? undefined : labels.subresource ? `${verbOf(labels)} ${labels.subresource}` : verbOf(labels)));
}

/**
 * The apiserver's own time in `verb` requests on `resource` (apiserver_request_duration_seconds: from the request's
 * arrival to the response written), summed over every request so far: the difference of two readings gives the
 * mean of the requests in between. `subresource`: e.g. "status"; none unless told.
 */
export async function requestSeconds(tb: Pick<Testbed, "kubeConfig">, resource: string, verb: string, subresource = ""): Promise<{ count: number; seconds: number }> {
  const keyOf = (labels: Record<string, string>) => (labels.resource === resource && (labels.subresource ?? "") === subresource && verbOf(labels) === verb ? "all" : undefined);
  const [count, seconds] = await Promise.all([countBy(tb, keyOf, "apiserver_request_duration_seconds_count"), countBy(tb, keyOf, "apiserver_request_duration_seconds_sum")]);
  return { count: count.all ?? 0, seconds: seconds.all ?? 0 };
}

/** Writes on every resource, keyed by resource and subresource ("deployments", "orchestclusters/status"). */
export function writesByResource(tb: Pick<Testbed, "kubeConfig">): Promise<RequestCounts> {
  return countBy(tb, (labels) => (WRITE_VERBS.has(verbOf(labels)) ? resourceOf(labels) : undefined));
}

/** Requests of every verb on every resource: "WATCH imagelocations", "PATCH imagelocations/status". */
export function allRequests(tb: Pick<Testbed, "kubeConfig">): Promise<RequestCounts> {
  return countBy(tb, (labels) => `${verbOf(labels)} ${resourceOf(labels)}`);
}

/** `after` minus `before`, verbs that did not change left out. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return Object.fromEntries(Object.entries(after).flatMap(([key, n]) => (n - (before[key] ?? 0) > 0 ? [[key, n - (before[key] ?? 0)]] : [])));
}

export function writesIn(counts: RequestCounts): number {
  return Object.entries(counts).reduce((sum, [key, n]) => sum + (WRITE_VERBS.has(key.split(" ")[0]!) ? n : 0), 0);
}

export function formatCounts(counts: RequestCounts): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "none" : entries.map(([key, n]) => `${key} ${n}`).join(", ");
}

/** etcd's database file (etcd_mvcc_db_total_size_in_bytes), or undefined when the test bed's etcd is not known. */
export async function etcdDatabaseBytes(tb: Pick<Testbed, "etcd">): Promise<number | undefined> {
  if (!tb.etcd) return undefined;
  const line = (await call(`${tb.etcd.endpoint}/metrics`)).body.split("\n").find((l) => l.startsWith("etcd_mvcc_db_total_size_in_bytes "));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

/**
 * What etcd holds now under `prefix` (e.g. "/registry/orchest.io/imagelocations/"): keys and the bytes of their
 * current values (JSON, as the apiserver stores custom resources), history not counted. Read in pages.
 */
export async function etcdStoredBytes(tb: Pick<Testbed, "etcd">, prefix: string): Promise<{ keys: number; bytes: number }> {
  if (!tb.etcd) throw new Error("etcd's endpoint is unknown on this cluster. Fix: run on the test bed");
  const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  let keys = 0;
  let bytes = 0;
  let from: Buffer = Buffer.from(prefix);
  for (;;) {
    const response = await call(`${tb.etcd.endpoint}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: b64(from), range_end: b64(end), limit: 500 }) });
    if (response.status !== 200) throw new Error(`etcd range ${prefix}: ${response.status} ${response.body.slice(0, 300)}`);
    const page = JSON.parse(response.body) as { kvs?: { key: string; value: string }[]; more?: boolean };
    for (const kv of page.kvs ?? []) {
      keys++;
      bytes += Buffer.from(kv.key, "base64").length + Buffer.from(kv.value, "base64").length;
    }
    if (!page.more || !page.kvs?.length) return { keys, bytes };
    from = Buffer.concat([Buffer.from(page.kvs.at(-1)!.key, "base64"), Buffer.from([0])]);
  }
}

export function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? "unknown" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Each Event's writer (its reporting controller, else the older recorders' source component) and version, by uid. */
export type EventVersions = ReadonlyMap<string, { readonly writer: string; readonly resourceVersion: string }>;

const EVENT = { apiVersion: "events.k8s.io/v1", kind: "Event" };

/** Every Event in the cluster, as `eventWritesSince` compares them: who wrote it, and its version. */
export async function eventVersions(client: KubeClient): Promise<EventVersions> {
  const versions = new Map<string, { writer: string; resourceVersion: string }>();
  let next: string | undefined;
  do {
    const page = await client.list(EVENT, { limit: 500, ...(next && { continue: next }) });
    for (const event of page.items as (KubeObject & { reportingController?: string; deprecatedSource?: { component?: string } })[]) {
      const writer = event.reportingController || event.deprecatedSource?.component || "unknown";
      versions.set(event.metadata.uid!, { writer, resourceVersion: event.metadata.resourceVersion! });
    }
    next = page.metadata.continue || undefined;
  } while (next);
  return versions;
}

/**
 * Events created or changed (a series' count) since `before`, by writer: the apiserver's counts say how many
 * Event writes there were, these say whose. An Event written twice in between counts once: a lower bound.
 */
export function eventWritesSince(before: EventVersions, after: EventVersions): RequestCounts {
  const counts: Record<string, number> = {};
  for (const [uid, { writer, resourceVersion }] of after) {
    if (before.get(uid)?.resourceVersion !== resourceVersion) counts[writer] = (counts[writer] ?? 0) + 1;
  }
  return counts;
}
