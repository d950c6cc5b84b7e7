import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RequestCounter } from "../client/request-counter.js";
import type { ControllerMetrics } from "../controller/controller.js";
import type { QueueMetrics, WorkInFlight } from "../queue/work-queue.js";

// controller-runtime's buckets, so that existing dashboards and alerts read our histograms unchanged.
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** Prometheus metrics under controller-runtime's and client-go's names, in a registry of one manager. */
export class ManagerMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal = this.counter("controller_runtime_reconcile_total", "Total number of reconciliations per controller", ["controller", "result"]);
  private readonly reconcileErrors = this.counter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller", ["controller"]);
  private readonly terminalErrors = this.counter("controller_runtime_terminal_reconcile_errors_total", "Total number of terminal reconciliation errors per controller", ["controller"]);
  private readonly reconcileTime = new Histogram({ name: "controller_runtime_reconcile_time_seconds", help: "Length of time per reconciliation per controller", labelNames: ["controller"], buckets: RECONCILE_BUCKETS, registers: [this.registry] });
  private readonly maxConcurrent = this.gauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller", ["controller"]);
  private readonly activeWorkers = this.gauge("controller_runtime_active_workers", "Number of currently used workers per controller", ["controller"]);
  private readonly depth = this.gauge("workqueue_depth", "Current depth of workqueue", ["controller", "name"]);
  private readonly adds = this.counter("workqueue_adds_total", "Total number of adds handled by workqueue", ["controller", "name"]);
  private readonly retries = this.counter("workqueue_retries_total", "Total number of retries handled by workqueue", ["controller", "name"]);
  private readonly queueDuration = new Histogram({ name: "workqueue_queue_duration_seconds", help: "How long in seconds an item stays in workqueue before being requested", labelNames: ["controller", "name"], buckets: QUEUE_BUCKETS, registers: [this.registry] });
  private readonly workDuration = new Histogram({ name: "workqueue_work_duration_seconds", help: "How long in seconds processing an item from workqueue takes", labelNames: ["controller", "name"], buckets: QUEUE_BUCKETS, registers: [this.registry] });
  private readonly workInFlight = new Map<string, () => WorkInFlight>();
  private readonly leader = this.gauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master", ["name"]);
  private readonly requests = this.counter("rest_client_requests_total", "Number of HTTP requests, partitioned by status code, method, and host", ["code", "method", "host"]);
  private readonly requestLatency = new Histogram({ name: "rest_client_request_duration_seconds", help: "Request latency in seconds, broken down by verb", labelNames: ["verb"], buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60], registers: [this.registry] });

  constructor() {
    this.inFlightGauge("workqueue_unfinished_work_seconds", "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.", (w) => w.unfinishedSeconds);
    this.inFlightGauge("workqueue_longest_running_processor_seconds", "How many seconds has the longest running processor for workqueue been running.", (w) => w.longestSeconds);
  }

  forController(controller: string, maxConcurrentReconciles: number): { queue: QueueMetrics; controller: ControllerMetrics } {
    this.maxConcurrent.set({ controller }, maxConcurrentReconciles);
    this.reconcileErrors.inc({ controller }, 0);
    const labels = { controller, name: controller };
    return {
      queue: {
        add: () => this.adds.inc(labels),
        depth: (n) => this.depth.set(labels, n),
        retry: () => this.retries.inc(labels),
        queued: (seconds) => this.queueDuration.observe(labels, seconds),
        worked: (seconds) => this.workDuration.observe(labels, seconds),
        readWorkInFlight: (read) => this.workInFlight.set(controller, read),
      },
      controller: {
        reconciled: (result, seconds) => {
          this.reconcileTotal.inc({ controller, result });
          this.reconcileTime.observe({ controller }, seconds);
        },
        failed: (terminal) => {
          this.reconcileErrors.inc({ controller });
          if (terminal) this.terminalErrors.inc({ controller });
        },
        activeWorkers: (n) => this.activeWorkers.set({ controller }, n),
      },
    };
  }

  observeRequests(counter: RequestCounter, host: string): void {
    counter.onRequest(({ method, status, verb, seconds }) => {
      this.requests.inc({ code: String(status), method, host });
      this.requestLatency.observe({ verb }, seconds);
    });
  }

  setLeader(lease: string, isLeader: boolean): void {
    this.leader.set({ name: lease }, isLeader ? 1 : 0);
  }

  private counter(name: string, help: string, labelNames: string[]) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge computed when scraped, from every controller's work in flight. */
  private inFlightGauge(name: string, help: string, pick: (w: WorkInFlight) => number) {
    const workInFlight = this.workInFlight;
    return new Gauge({
      name,
      help,
      labelNames: ["controller", "name"],
      registers: [this.registry],
      collect() {
        for (const [controller, read] of workInFlight) this.set({ controller, name: controller }, pick(read()));
      },
    });
  }

  private gauge(name: string, help: string, labelNames: string[]) {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
