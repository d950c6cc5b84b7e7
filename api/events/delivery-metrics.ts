import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { EventDelivery } from "../../crds/types/index.js";
import type { AttemptResult } from "./delivery-client.js";

type SubscriberType = EventDelivery["spec"]["subscriber"]["type"];

/** Attempts mostly take milliseconds on a healthy receiver and up to the 15 s timeout on a sick one. */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/**
 * Prometheus metrics of delivering, on the manager's registry. The backlog gauges are computed at scrape
 * time from the informer's cache, so they are exact and cost nothing between scrapes.
 */
export class DeliveryMetrics {
  private readonly settled: Counter<"subscriber_type" | "outcome">;
  private readonly attempts: Histogram<"subscriber_type" | "outcome">;

  constructor(registry: Registry, backlog: () => readonly EventDelivery[], now: () => number = Date.now) {
    const registers = [registry];
    this.settled = new Counter({
      name: "orchest_event_deliveries_total",
      help: "Deliveries that reached a final outcome: delivered, or dead_lettered (attempts exhausted, 410 Gone, refused address)",
      labelNames: ["subscriber_type", "outcome"],
      registers,
    });
    this.attempts = new Histogram({
      name: "orchest_event_delivery_attempt_duration_seconds",
      help: "Duration of delivery attempts, by outcome (delivered, failed, gone, refused)",
      labelNames: ["subscriber_type", "outcome"],
      buckets: ATTEMPT_BUCKETS,
      registers,
    });
    new Gauge({
      name: "orchest_event_delivery_oldest_undelivered_seconds",
      help: "Age of the oldest delivery that is neither Delivered nor DeadLettered, since it was recorded; 0 when there is none",
      registers,
      collect() {
        const oldest = backlog().reduce((min, d) => Math.min(min, Date.parse(d.metadata!.creationTimestamp!)), Infinity);
        this.set(Number.isFinite(oldest) ? Math.max(0, (now() - oldest) / 1000) : 0);
      },
    });
    new Gauge({
      name: "orchest_event_delivery_queue_depth",
      help: "Deliveries waiting to be delivered, by phase (Pending: not tried yet, Retrying: waiting for their next attempt)",
      labelNames: ["phase"],
      registers,
      collect() {
        const depth = { Pending: 0, Retrying: 0 };
        for (const d of backlog()) depth[d.status?.phase === "Retrying" ? "Retrying" : "Pending"]++;
        for (const [phase, n] of Object.entries(depth)) this.set({ phase }, n);
      },
    });
  }

  attempted(type: SubscriberType, result: AttemptResult, seconds: number): void {
    this.attempts.observe({ subscriber_type: type, outcome: result.outcome }, seconds);
  }

  finished(type: SubscriberType, outcome: "delivered" | "dead_lettered"): void {
    this.settled.inc({ subscriber_type: type, outcome });
  }
}
