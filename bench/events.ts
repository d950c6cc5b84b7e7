/**
 * Benchmark: EventDelivery throughput and latency on the test bed, with healthy loopback receivers.
 * Deliveries per second sustained over a burst, p50/p99 from recording an event to its arrival, against
 * Orchest's 1-second polling, and the EventDelivery objects etcd holds once delivered records expired.
 *
 *   node lib/testbed/cli.js run -- node lib/bench/events.js [events]
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AddressPolicy, addEventDeliveryController, DeliveryClient, DEFAULT_RETRY_POLICY } from "../api/events/index.js";
import { startReceiver, type LoopbackReceiver } from "../api/events/loopback-receiver.js";
import { createWebhook, header, listDeliveries, outboxFor, pipelineRunEvents, recordAll } from "../api/events/test-support.js";
import { installCrds } from "../operator/install.js";
import { KubeClient, Manager, silentLogger } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../testbed/index.js";

const SUBSCRIBERS = 3;
const RETENTION_MS = 2_000;

export interface EventsBenchResult {
  readonly events: number;
  readonly deliveries: number;
  readonly deliveriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Orchest's worker polled its outbox every second: half a second on average, a second at worst, before a delivery even started. */
  readonly orchestPollingBaseline: { readonly p50Ms: number; readonly p99Ms: number };
  /** EventDeliveries in etcd right after the burst, and once the delivered ones passed their retention. */
  readonly objectsAfterBurst: number;
  readonly objectsAtSteadyState: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Records `events` events (pipeline runs of four events each, in order per run) for 3 webhook subscribers. */
export async function run(events = 1000): Promise<EventsBenchResult> {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, "bench-events");
  const client = new KubeClient(tb.kubeConfig);
  const receivers: LoopbackReceiver[] = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => startReceiver(() => ({ status: 204 }))));
  await Promise.all(receivers.map((receiver, i) => createWebhook(client, ns, `bench-${i}`, receiver.url)));
  const http = new DeliveryClient({ addressPolicy: new AddressPolicy(["127.0.0.0/8"]) });
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api", logger: silentLogger });
  const controller = addEventDeliveryController(manager, { namespace: ns, http, retryPolicy: DEFAULT_RETRY_POLICY, retentionMs: RETENTION_MS, maxInFlightPerEndpoint: 8, workers: 4 });
  await manager.start();
  try {
    const runs = pipelineRunEvents(Math.ceil(events / 4));
    const recordedAt = new Map<string, number>();
    const outbox = outboxFor(client, ns);
    const started = performance.now();
    await recordAll(
      {
        record: (event) => {
          recordedAt.set(event.id, performance.now());
          return outbox.record(event);
        },
      },
      runs,
    );
    const total = recordedAt.size * SUBSCRIBERS;
    const arrived = () => receivers.reduce((sum, receiver) => sum + receiver.received.length, 0);
    await waitFor("every delivery to arrive", () => arrived() >= total, 600_000, 20);
    const arrivals = receivers.flatMap((receiver) => receiver.received);
    const last = Math.max(...arrivals.map((request) => request.at));
    const latencies = arrivals.map((request) => request.at - recordedAt.get(header(request, "webhook-id"))!).sort((a, b) => a - b);
    const objectsAfterBurst = (await listDeliveries(client, ns)).length;
    await waitFor("delivered records to expire", async () => (await listDeliveries(client, ns)).length === 0, 120_000, 500);
    const result: EventsBenchResult = {
      events: recordedAt.size,
      deliveries: total,
      deliveriesPerSecond: Math.round(total / ((last - started) / 1000)),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      orchestPollingBaseline: { p50Ms: 500, p99Ms: 990 },
      objectsAfterBurst,
      objectsAtSteadyState: (await listDeliveries(client, ns)).length,
    };
    process.stdout.write(
      `events: ${result.events} events to ${SUBSCRIBERS} webhooks = ${result.deliveries} deliveries at ${result.deliveriesPerSecond}/s sustained; ` +
        `recording→delivery p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (Orchest's 1 s polling alone: p50 500 ms, p99 990 ms); ` +
        `EventDeliveries in etcd: ${result.objectsAfterBurst} after the burst, ${result.objectsAtSteadyState} at steady state (retention ${RETENTION_MS} ms)\n`,
    );
    return result;
  } finally {
    await controller.stop();
    await manager.stop();
    http.close();
    client.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? "1000");
  run(Number.isFinite(n) && n > 0 ? n : 1000).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
