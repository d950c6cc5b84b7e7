/**
 * Pure rendering of OrchestCluster status, kubectl style: a table of
 * clusters (NAME, PHASE, VERSION, READY, AGE) and, for one cluster, its
 * components and conditions.
 */
import type { Condition, OrchestCluster } from "../crds/types/index.js";

/** A condition of the cluster's status, by type. */
export function conditionOf(cluster: OrchestCluster, type: string): Condition | undefined {
  return cluster.status?.conditions?.find((c) => c.type === type);
}

/** True when Ready is True for the cluster's current generation (a Ready from before an update does not count). */
export function isReady(cluster: OrchestCluster): boolean {
  const observed = cluster.status?.observedGeneration ?? 0;
  return conditionOf(cluster, "Ready")?.status === "True" && observed >= (cluster.metadata?.generation ?? 0);
}

/** "ready/total" components, or "-" before the operator reported any. */
export function readyComponents(cluster: OrchestCluster): string {
  const components = cluster.status?.components ?? [];
  if (components.length === 0) return "-";
  return `${components.filter((c) => c.ready).length}/${components.length}`;
}

/** Applied version; "applied -> wanted" while an update is under way. */
export function versionOf(cluster: OrchestCluster): string {
  const applied = cluster.status?.version;
  const wanted = cluster.spec?.orchest?.version;
  if (applied && wanted && applied !== wanted) return `${applied} -> ${wanted}`;
  return applied ?? wanted ?? "-";
}

/** kubectl-style age: 42s, 5m, 3h, 12d. */
export function age(timestamp: string | Date | undefined, now: Date): string {
  if (timestamp === undefined) return "-";
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Left-aligned columns separated by three spaces, like kubectl. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("   ").trimEnd()).join("\n") + "\n";
}

/** The table of `orchest status`; a NAMESPACE column when clusters of several namespaces are listed. */
export function clusterTable(clusters: readonly OrchestCluster[], now: Date, withNamespace: boolean): string {
  const header = [...(withNamespace ? ["NAMESPACE"] : []), "NAME", "PHASE", "VERSION", "READY", "AGE"];
  const rows = clusters.map((c) => [
    ...(withNamespace ? [c.metadata?.namespace ?? ""] : []),
    c.metadata?.name ?? "",
    c.status?.phase ?? "Pending",
    versionOf(c),
    readyComponents(c),
    age(c.metadata?.creationTimestamp, now),
  ]);
  return formatTable([header, ...rows]);
}

/** Components and conditions of one cluster, below its table row. */
export function clusterDetails(cluster: OrchestCluster, now: Date): string {
  const components = cluster.status?.components ?? [];
  const conditions = cluster.status?.conditions ?? [];
  const parts: string[] = [];
  if (components.length > 0) {
    const rows = components.map((c) => [
      c.name,
      c.kind ?? "",
      c.ready ? "yes" : "no",
      c.desiredReplicas === undefined ? "-" : `${c.readyReplicas ?? 0}/${c.desiredReplicas}`,
      c.image ?? "",
      c.message ?? "",
    ]);
    parts.push(`Components:\n${indent(formatTable([["COMPONENT", "KIND", "READY", "PODS", "IMAGE", "MESSAGE"], ...rows]))}`);
  }
  if (conditions.length > 0) {
    const rows = conditions.map((c) => [c.type, c.status, c.reason ?? "", age(c.lastTransitionTime, now), c.message ?? ""]);
    parts.push(`Conditions:\n${indent(formatTable([["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"], ...rows]))}`);
  }
  if (parts.length === 0) parts.push("No status yet: the operator has not reconciled this cluster (is it running? orchest install installs it).\n");
  return parts.join("\n");
}

const indent = (text: string): string => text.replace(/^(?=.)/gm, "  ");

/** One progress line: phase, ready components, and what the cluster waits for. */
export function progressLine(cluster: OrchestCluster): string {
  const waiting = (cluster.status?.components ?? []).find((c) => !c.ready);
  const progressing = conditionOf(cluster, "Progressing");
  const degraded = conditionOf(cluster, "Degraded");
  const detail =
    degraded?.status === "True"
      ? `degraded: ${degraded.reason ?? ""} ${degraded.message ?? ""}`.trim()
      : waiting
        ? `waiting for ${waiting.name}${waiting.message ? ` (${waiting.message})` : ""}`
        : progressing?.status === "True"
          ? (progressing.message ?? progressing.reason ?? "")
          : "";
  const ready = (cluster.status?.components ?? []).length > 0 ? `${readyComponents(cluster)} components ready` : "no status from the operator yet";
  return [cluster.status?.phase ?? "Pending", ready, detail].filter((s) => s !== "").join(", ");
}
