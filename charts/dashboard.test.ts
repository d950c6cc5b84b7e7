import test from "ava";
import { parser } from "@prometheus-io/lezer-promql";
import { RequestCounter } from "../reconcilers/client/request-counter.js";
import { ManagerMetrics } from "../reconcilers/manager/metrics.js";
import { dashboard } from "./dashboard.js";

/** The labels a Prometheus Operator scrape (ServiceMonitor, PodMonitor) adds to every series. */
const TARGET_LABELS = ["job", "instance", "namespace", "pod", "service", "container", "endpoint"];

/** Every series name a manager exports, with its label names: its metrics after one of everything they count. */
async function exportedSeries(): Promise<Map<string, Set<string>>> {
  const metrics = new ManagerMetrics();
  const { queue, controller } = metrics.forController("c", 1);
  queue.add();
  queue.depth(0);
  queue.retry();
  queue.queued(0.1);
  queue.worked(0.1);
  queue.readWorkInFlight(() => ({ unfinishedSeconds: 0, longestSeconds: 0 }));
  controller.reconciled("success", 0.1);
  controller.failed(true);
  controller.activeWorkers(1);
  const requests = new RequestCounter();
  metrics.observeRequests(requests, "127.0.0.1:6443");
  requests.record({ verb: "get", method: "GET", path: "/api/v1/pods", status: 200, seconds: 0.1 });
  metrics.setLeader("lease", true);
  const series = new Map<string, Set<string>>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const value of metric.values as Array<{ metricName?: string; labels: Record<string, unknown> }>) {
      const name = value.metricName ?? metric.name;
      const labels = series.get(name) ?? series.set(name, new Set()).get(name)!;
      for (const label of Object.keys(value.labels)) labels.add(label);
    }
  }
  return series;
}

/** The metric names, label names and grouping labels of a PromQL query, read by Prometheus' own grammar; syntax errors too. */
function readQuery(expr: string): { metrics: string[]; labels: string[]; grouping: string[]; errors: string[] } {
  const read = { metrics: [] as string[], labels: [] as string[], grouping: [] as string[], errors: [] as string[] };
  parser.parse(expr).iterate({
    enter: (ref) => {
      const text = expr.slice(ref.from, ref.to);
      const parent = ref.node.parent?.type.name;
      if (ref.type.isError) read.errors.push(`syntax error at ${ref.from}: "${expr.slice(ref.from, ref.from + 20)}"`);
      else if (ref.name === "Identifier" && parent === "VectorSelector") read.metrics.push(text);
      else if (ref.name === "LabelName") (parent === "GroupingLabels" ? read.grouping : read.labels).push(text);
    },
  });
  return read;
}

test("every dashboard query parses as PromQL and reads only series and labels the engine exports", async (t) => {
  const exported = await exportedSeries();
  const board = dashboard() as { panels: Array<{ title: string; targets: Array<{ expr: string; legendFormat: string }> }>; templating: { list: Array<{ name: string; query: string }> } };
  const problems: string[] = [];
  const checkLabels = (where: string, metrics: string[], labels: string[]) => {
    const known = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => [...(exported.get(m) ?? [])])]);
    for (const label of labels.filter((l) => !known.has(l))) problems.push(`${where}: label ${label} is on none of ${metrics.join(", ")}`);
  };
  let metricsRead = 0;
  for (const panel of board.panels) {
    for (const { expr, legendFormat } of panel.targets) {
      const where = `${panel.title}: ${expr}`;
      const query = readQuery(expr);
      problems.push(...query.errors.map((e) => `${where}: ${e}`));
      if (query.metrics.length === 0) problems.push(`${where}: reads no metric`);
      problems.push(...query.metrics.filter((m) => !exported.has(m)).map((m) => `${where}: ${m} is not exported`));
      checkLabels(where, query.metrics, [...query.labels, ...query.grouping]);
      // A legend can only show labels the query keeps.
      for (const [, label] of legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) if (!query.grouping.includes(label!)) problems.push(`${where}: legend {{${label}}} is not kept by the query`);
      metricsRead += query.metrics.length;
    }
  }
  // Grafana's own function, not PromQL: label_values(metric, label).
  for (const variable of board.templating.list.filter((v) => v.query.startsWith("label_values"))) {
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query) ?? [];
    if (!metric || !exported.has(metric)) problems.push(`variable ${variable.name}: ${variable.query} does not read an exported metric`);
    else checkLabels(`variable ${variable.name}`, [metric], [label!]);
  }
  t.deepEqual(problems, []);
  t.true(metricsRead >= 15, `the queries read ${metricsRead} metrics`);
});
