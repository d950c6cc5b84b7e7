/**
 * The Grafana dashboard of the chart, over the metric names the engine
 * exports (controller-runtime's and client-go's, see
 * reconcilers/manager/metrics.ts), so it also reads any controller-runtime
 * operator. Panels are listed as data; the layout is computed.
 */

interface Panel {
  readonly title: string;
  readonly unit: string;
  /** PromQL, one query per series; `$job` is the dashboard's job variable. */
  readonly queries: readonly { readonly expr: string; readonly legend: string }[];
}

const by = (labels: string, expr: string) => `sum by (${labels}) (${expr})`;
const quantile = (q: number, histogram: string, labels: string) => `histogram_quantile(${q}, ${by(`le, ${labels}`, `rate(${histogram}_bucket{job="$job"}[5m])`)})`;

const PANELS: readonly Panel[] = [
  { title: "Reconciles per second, by result", unit: "ops", queries: [{ expr: by("controller, result", 'rate(controller_runtime_reconcile_total{job="$job"}[5m])'), legend: "{{controller}} {{result}}" }] },
  {
    title: "Reconcile errors per second",
    unit: "ops",
    queries: [
      { expr: by("controller", 'rate(controller_runtime_reconcile_errors_total{job="$job"}[5m])'), legend: "{{controller}}" },
      { expr: by("controller", 'rate(controller_runtime_terminal_reconcile_errors_total{job="$job"}[5m])'), legend: "{{controller}} terminal" },
    ],
  },
  {
    title: "Reconcile time (p50, p99)",
    unit: "s",
    queries: [
      { expr: quantile(0.5, "controller_runtime_reconcile_time_seconds", "controller"), legend: "{{controller}} p50" },
      { expr: quantile(0.99, "controller_runtime_reconcile_time_seconds", "controller"), legend: "{{controller}} p99" },
    ],
  },
  {
    title: "Workers in use",
    unit: "short",
    queries: [
      { expr: by("controller", 'controller_runtime_active_workers{job="$job"}'), legend: "{{controller}} active" },
      { expr: by("controller", 'controller_runtime_max_concurrent_reconciles{job="$job"}'), legend: "{{controller}} max" },
    ],
  },
  { title: "Work queue depth", unit: "short", queries: [{ expr: by("name", 'workqueue_depth{job="$job"}'), legend: "{{name}}" }] },
  {
    title: "Work queue adds and retries per second",
    unit: "ops",
    queries: [
      { expr: by("name", 'rate(workqueue_adds_total{job="$job"}[5m])'), legend: "{{name}} adds" },
      { expr: by("name", 'rate(workqueue_retries_total{job="$job"}[5m])'), legend: "{{name}} retries" },
    ],
  },
  {
    title: "Time in queue and at work (p99)",
    unit: "s",
    queries: [
      { expr: quantile(0.99, "workqueue_queue_duration_seconds", "name"), legend: "{{name}} waiting" },
      { expr: quantile(0.99, "workqueue_work_duration_seconds", "name"), legend: "{{name}} working" },
    ],
  },
  {
    title: "Stuck work (unfinished, longest running)",
    unit: "s",
    queries: [
      { expr: by("name", 'workqueue_unfinished_work_seconds{job="$job"}'), legend: "{{name}} unfinished" },
      { expr: by("name", 'workqueue_longest_running_processor_seconds{job="$job"}'), legend: "{{name}} longest" },
    ],
  },
  { title: "API requests per second, by code", unit: "reqps", queries: [{ expr: by("code, method", 'rate(rest_client_requests_total{job="$job"}[5m])'), legend: "{{method}} {{code}}" }] },
  { title: "API request latency (p99), by verb", unit: "s", queries: [{ expr: quantile(0.99, "rest_client_request_duration_seconds", "verb"), legend: "{{verb}}" }] },
  { title: "Leader", unit: "short", queries: [{ expr: 'max by (pod) (leader_election_master_status{job="$job"})', legend: "{{pod}}" }] },
];

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** The dashboard as Grafana imports it (schemaVersion 39): two panels a row. */
export function dashboard(): Record<string, unknown> {
  return {
    title: "Orchest operator",
    uid: "orchest-operator",
    description: "Reconciles, work queues and API requests of the Orchest operator (controller-runtime metric names).",
    tags: ["orchest", "controller-runtime"],
    schemaVersion: 39,
    editable: true,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: {
      list: [
        { name: "datasource", label: "Data source", type: "datasource", query: "prometheus" },
        { name: "job", label: "Job", type: "query", datasource: DATASOURCE, query: "label_values(controller_runtime_reconcile_total, job)", refresh: 2 },
      ],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: "timeseries",
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend })),
    })),
  };
}
