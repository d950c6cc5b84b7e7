/**
 * Benchmark: EventDelivery latency and throughput on the test bed, with 3 healthy loopback receivers.
 *
 * - Steady rate (20, 50, 100, 200 events/s, 6 s each): p50/p99 from recording an event to its
 *   arrival, with where the time goes (stored, in our cache, arrived, settled in our cache), against
 *   Orchest's 1 s polling with serial sending, simulated over the same arrivals with our measured send time.
 * - Burst (1,000 events recorded as fast as the apiserver takes them): deliveries per second sustained. Its
 *   latency measures a queue (recording takes longer than delivering), not the delivery path.
 * - EventDelivery objects in etcd right after, and once delivered records expired; writes per delivery as the
 *   apiserver counted them (apiserver_request_total on eventdeliveries, from the first recording until every
 *   delivered record is gone), its request counts per rate and etcd's database size.
 *
 *   node lib/testbed/cli.js run --nodes kwok -- node lib/bench/events.js [burst-events] [retention-ms, default 2000; 0 deletes on delivery] [rates, default 20,50,100,200]
 */
import type { EventDelivery } from "../crds/types/index.js";
import { AddressPolicy, addEventDeliveryController, asDelivery, asSubscriber, DeliveryClient, DEFAULT_RETRY_POLICY, EVENT_DELIVERY, Outbox, SUBSCRIBER, webhookRequest } from "../api/events/index.js";
import { startReceiver, type LoopbackReceiver } from "../api/events/loopback-receiver.js";
import { createWebhook, header, listDeliveries, newSecret, pipelineRunEvents, recordAll } from "../api/events/test-support.js";
import type { OneOffJobPipelineRunEvent } from "../api/events/one-off-job-event.js";
import type { OrchestEvent } from "../api/events/event.js";
import { installCrds } from "../operator/install.js";
import { KubeClient, Manager, silentLogger, type Informer, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { createTestNamespace, useTestbed } from "../testbed/index.js";
import { countsSince, etcdDatabaseBytes, formatCounts, mebibytes, requestCounts, writesIn, type RequestCounts } from "./server-counts.js";
import { runAsScript } from "./run-as-script.js";

const SUBSCRIBERS = 3;
const STEADY_RATES = [20, 50, 100, 200];
const STEADY_SECONDS = 6;
/** A run's four events come this far apart, so runs overlap and order per run is exercised. */
const STAGE_GAP_MS = 250;
const POLL_MS = 1000;

export interface Percentiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface SteadyResult extends Percentiles {
  readonly eventsPerSecond: number;
  readonly events: number;
  /** Cumulative from recording: outbox returned, delivery in our cache, arrived at the receiver, settled in our cache. */
  readonly stages: Readonly<Record<"stored" | "cached" | "arrived" | "settled", Percentiles>>;
  /** Orchest's worker over the same arrivals: a poll every second, then one send at a time. */
  readonly orchest: Percentiles;
  /** The apiserver's requests on eventdeliveries from this rate's first recording to its last settled delivery. */
  readonly requests: RequestCounts;
  /** Recordings tried again because the apiserver did not answer in time. */
  readonly retriedRecordings: number;
  readonly etcdBytes?: number;
}

export interface EventsBenchResult {
  readonly retentionMs: number;
  readonly steady: readonly SteadyResult[];
  readonly burst: { readonly events: number; readonly deliveries: number; readonly deliveriesPerSecond: number; readonly queue: Percentiles; readonly orchest: Percentiles };
  /** One POST to a loopback receiver, serially: what the Orchest simulation charges per send. */
  readonly sendMs: number;
  /** Apiserver writes on eventdeliveries per delivery, every delivered record deleted (create and delete included). */
  readonly writesPerDelivery: number;
  readonly requests: RequestCounts;
  readonly etcdBytesAfterBurst?: number;
  readonly etcdBytesAtSteadyState?: number;
  readonly objectsAfterBurst: number;
  readonly objectsAtSteadyState: number;
}

/**
 * The same count with this bench before Delivered records were swept by recording bucket (commit 8f18502, 20
 * events/s then a burst of 100, 3 webhooks, retention 2 s): a create, a status write and a delete per delivery.
 */
const WRITES_PER_DELIVERY_BEFORE = "3.05 (POST 660, PATCH status 694, DELETE 660 for 660 deliveries)";

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)) };
}

/**
 * Orchest's worker: every second it took what was pending and sent it one at a time, `sendMs` each. Recording
 * times are relative; the polling phase is random, as it would be. Its database writes are not charged: a
 * lower bound.
 */
function orchestPolling(recordedAt: readonly number[], perEvent: number, sendMs: number): Percentiles {
  const pending = [...recordedAt].sort((a, b) => a - b);
  const latencies: number[] = [];
  let poll = pending[0]! + Math.random() * POLL_MS;
  let busyUntil = 0;
  let next = 0;
  while (next < pending.length) {
    let at = Math.max(poll, busyUntil);
    for (; next < pending.length && pending[next]! <= poll; next++) {
      for (let i = 0; i < perEvent; i++) latencies.push((at += sendMs) - pending[next]!);
    }
    busyUntil = at;
    poll += POLL_MS;
  }
  return percentiles(latencies);
}

/** Mean time of one signed POST to a loopback receiver, sent one after another as Orchest did. */
async function measureSend(http: DeliveryClient): Promise<number> {
  const receiver = await startReceiver(() => ({ status: 204 }));
  const secret = newSecret();
  const message = { eventId: "bench", eventType: "project:created", deliveryName: "bench", payload: { project: { name: "bench" } } };
  try {
    const sends = 200;
    const started = performance.now();
    for (let i = 0; i < sends; i++) await http.post(webhookRequest({ url: receiver.url, secret, format: "json" }, message, new Date()));
    return (performance.now() - started) / sends;
  } finally {
    await receiver.close();
  }
}

/** When each delivery first showed up in our cache and when it settled there (Delivered, dead-lettered or gone). */
function watchStages(deliveries: Informer): { cached: Map<string, number>; settled: Map<string, number> } {
  const cached = new Map<string, number>();
  const settled = new Map<string, number>();
  const eventOf = (delivery: EventDelivery) => `${delivery.spec.event.id}/${delivery.spec.subscriber.name}`;
  const seen = (obj: KubeObject) => {
    const delivery = asDelivery(obj);
    const key = eventOf(delivery);
    if (!cached.has(key)) cached.set(key, performance.now());
    const phase = delivery.status?.phase;
    if ((phase === "Delivered" || phase === "DeadLettered") && !settled.has(key)) settled.set(key, performance.now());
  };
  deliveries.addHandler({
    onAdd: seen,
    onUpdate: (_, obj) => seen(obj),
    onDelete: (obj) => {
      const key = eventOf(asDelivery(obj));
      if (!settled.has(key)) settled.set(key, performance.now());
    },
  });
  return { cached, settled };
}

/** Runs' events at `rate` per second for `seconds`: runs start evenly, each run's events STAGE_GAP_MS apart. */
function steadySchedule(rate: number, seconds: number): Array<{ at: number; event: OneOffJobPipelineRunEvent }> {
  const runs = pipelineRunEvents(Math.round((rate * seconds) / 4));
  const runGap = 4000 / rate;
  return runs.flatMap((run, r) => run.map((event, i) => ({ at: r * runGap + i * STAGE_GAP_MS, event }))).sort((a, b) => a.at - b.at);
}

/** Records 4 events per pipeline run for 3 webhook subscribers: steady rates first, then a burst. */
export async function run(burstEvents = 1000, retentionMs = 2_000, rates: readonly number[] = STEADY_RATES): Promise<EventsBenchResult> {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, "bench-events");
  const client = new KubeClient(tb.kubeConfig);
  const receivers: LoopbackReceiver[] = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => startReceiver(() => ({ status: 204 }))));
  await Promise.all(receivers.map((receiver, i) => createWebhook(client, ns, `bench-${i}`, receiver.url)));
  const http = new DeliveryClient({ addressPolicy: new AddressPolicy(["127.0.0.0/8"]) });
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: "orchest-api", logger: silentLogger });
  const controller = addEventDeliveryController(manager, { namespace: ns, http, retryPolicy: DEFAULT_RETRY_POLICY, retentionMs, maxInFlightPerEndpoint: 8, workers: 4 });
  // As the api process records: Subscribers from the manager's cache, deliveries created by its client.
  const subscribers = manager.informers.informerFor(SUBSCRIBER, { namespace: ns });
  const outbox = new Outbox({ client: manager.client, namespace: ns, analytics: false, subscribers: async () => subscribers.list().map(asSubscriber) });
  const stages = watchStages(manager.informers.informerFor(EVENT_DELIVERY, { namespace: ns }));
  await manager.start();
  await waitFor("the subscribers in the cache", () => subscribers.list().length === SUBSCRIBERS, 30_000);
  const sendMs = await measureSend(http);
  process.stdout.write(`events: ${SUBSCRIBERS} healthy loopback webhooks, retention ${retentionMs} ms; Orchest = 1 s polling + serial sends of ${sendMs.toFixed(2)} ms each (simulated over the same arrivals, DB writes not charged)\n`);
  const arrivals = () => receivers.flatMap((receiver, i) => receiver.received.map((request) => ({ request, key: `${header(request, "webhook-id")}/bench-${i}` })));

  /** Waits for every delivery of `recordedAt`'s events; returns each one's recording→arrival latency and arrival time. */
  const collect = async (recordedAt: Map<string, number>) => {
    const total = recordedAt.size * SUBSCRIBERS;
    const mine = () => arrivals().filter(({ request }) => recordedAt.has(header(request, "webhook-id")));
    await waitFor("every delivery to arrive", () => mine().length >= total, 600_000, 20);
    await waitFor("every delivery to settle in the cache", () => [...recordedAt.keys()].every((id) => receivers.every((_, i) => stages.settled.has(`${id}/bench-${i}`))), 60_000, 20);
    return mine().map(({ request, key }) => ({ key, recorded: recordedAt.get(header(request, "webhook-id"))!, at: request.at }));
  };

  /**
   * Records as the api's reconcilers do: a recording the apiserver did not answer in time fails the reconcile,
   * which records again (recording twice creates nothing). Counted: each is a request the apiserver dropped.
   */
  let retriedRecordings = 0;
  const record = async (event: OrchestEvent) => {
    for (let tries = 1; ; tries++) {
      try {
        return await outbox.record(event);
      } catch (err) {
        if (tries === 5) throw err;
        retriedRecordings++;
      }
    }
  };

  try {
    const countsBefore = await requestCounts(tb, "eventdeliveries");
    const steady: SteadyResult[] = [];
    for (const rate of rates) {
      const rateBefore = await requestCounts(tb, "eventdeliveries");
      const retriedBefore = retriedRecordings;
      const schedule = steadySchedule(rate, STEADY_SECONDS);
      const recordedAt = new Map<string, number>();
      const storedAt = new Map<string, number>();
      const start = performance.now() + 50;
      await Promise.all(
        schedule.map(async ({ at, event }) => {
          await new Promise((wake) => setTimeout(wake, Math.max(0, start + at - performance.now())));
          recordedAt.set(event.id, performance.now());
          await record(event);
          storedAt.set(event.id, performance.now());
        }),
      );
      const delivered = await collect(recordedAt);
      const since = (times: Map<string, number>, keyOf: (key: string) => string) => delivered.map(({ key, recorded }) => times.get(keyOf(key))! - recorded);
      steady.push({
        eventsPerSecond: rate,
        events: schedule.length,
        ...percentiles(delivered.map(({ recorded, at }) => at - recorded)),
        stages: {
          stored: percentiles(since(storedAt, (key) => key.split("/")[0]!)),
          cached: percentiles(since(stages.cached, (key) => key)),
          arrived: percentiles(delivered.map(({ recorded, at }) => at - recorded)),
          settled: percentiles(since(stages.settled, (key) => key)),
        },
        orchest: orchestPolling([...recordedAt.values()], SUBSCRIBERS, sendMs),
        requests: countsSince(rateBefore, await requestCounts(tb, "eventdeliveries")),
        retriedRecordings: retriedRecordings - retriedBefore,
        ...optional("etcdBytes", await etcdDatabaseBytes(tb)),
      });
      reportSteady(steady.at(-1)!);
    }

    const runs = pipelineRunEvents(Math.ceil(burstEvents / 4));
    const recordedAt = new Map<string, number>();
    const started = performance.now();
    await recordAll({ record: (event) => (recordedAt.set(event.id, performance.now()), record(event)) }, runs);
    const delivered = await collect(recordedAt);
    const last = Math.max(...delivered.map(({ at }) => at));
    const deliveries = steady.reduce((sum, s) => sum + s.events, recordedAt.size) * SUBSCRIBERS;
    const objectsAfterBurst = (await listDeliveries(client, ns)).length;
    const etcdBytesAfterBurst = await etcdDatabaseBytes(tb);
    await waitFor("delivered records to expire", async () => (await listDeliveries(client, ns)).length === 0, 120_000, 500);
    const requests = countsSince(countsBefore, await requestCounts(tb, "eventdeliveries"));
    const result: EventsBenchResult = {
      retentionMs,
      steady,
      burst: {
        events: recordedAt.size,
        deliveries: delivered.length,
        deliveriesPerSecond: Math.round(delivered.length / ((last - started) / 1000)),
        queue: percentiles(delivered.map(({ recorded, at }) => at - recorded)),
        orchest: orchestPolling([...recordedAt.values()], SUBSCRIBERS, sendMs),
      },
      sendMs: Math.round(sendMs * 100) / 100,
      writesPerDelivery: Math.round((writesIn(requests) / deliveries) * 100) / 100,
      requests,
      objectsAfterBurst,
      ...optional("etcdBytesAfterBurst", etcdBytesAfterBurst),
      ...optional("etcdBytesAtSteadyState", await etcdDatabaseBytes(tb)),
      objectsAtSteadyState: (await listDeliveries(client, ns)).length,
    };
    report(result);
    return result;
  } finally {
    await controller.stop();
    await manager.stop();
    http.close();
    client.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }
}

// Orchest's figure over ours: above 1, we are that many times faster.
const ratio = (ours: number, theirs: number) => `${(theirs / Math.max(ours, 1)).toFixed(1)}×`;

/** Each rate as soon as it is measured: a run cut short by an overloaded apiserver still shows the rates before. */
function reportSteady(s: SteadyResult): void {
  const { stored, cached, arrived, settled } = s.stages;
  const lines = [
      `  steady ${s.eventsPerSecond} events/s (${s.events} events): recording→delivery p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms; Orchest p50 ${s.orchest.p50Ms} ms, p99 ${s.orchest.p99Ms} ms ` +
        `(Orchest/ours: p50 ${ratio(s.p50Ms, s.orchest.p50Ms)}, p99 ${ratio(s.p99Ms, s.orchest.p99Ms)})`,
      `    p50 / p99 from recording: stored ${stored.p50Ms} / ${stored.p99Ms}, in cache ${cached.p50Ms} / ${cached.p99Ms}, arrived ${arrived.p50Ms} / ${arrived.p99Ms}, settled in cache ${settled.p50Ms} / ${settled.p99Ms} ms`,
      `    apiserver on eventdeliveries meanwhile: ${formatCounts(s.requests)} (${(writesIn(s.requests) / (s.events * SUBSCRIBERS)).toFixed(2)} writes per delivery, deletes of the expiring records of the rate before included); etcd ${mebibytes(s.etcdBytes)}; recordings tried again (no answer within 30 s): ${s.retriedRecordings}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

function report(result: EventsBenchResult): void {
  const b = result.burst;
  const lines = [
    `  burst (queueing, not the delivery path): ${b.events} events = ${b.deliveries} deliveries at ${b.deliveriesPerSecond}/s sustained; recording→delivery p50 ${b.queue.p50Ms} ms, p99 ${b.queue.p99Ms} ms; ` +
      `Orchest over the same arrivals p50 ${b.orchest.p50Ms} ms, p99 ${b.orchest.p99Ms} ms (Orchest/ours: p50 ${ratio(b.queue.p50Ms, b.orchest.p50Ms)}, p99 ${ratio(b.queue.p99Ms, b.orchest.p99Ms)})`,
    `  writes per delivery, as the apiserver counted them until every delivered record was gone: ${result.writesPerDelivery} (${formatCounts(result.requests)}); ` +
      `before the retention sweep: ${WRITES_PER_DELIVERY_BEFORE}`,
    `  EventDeliveries in etcd: ${result.objectsAfterBurst} after the burst, ${result.objectsAtSteadyState} at steady state (retention ${result.retentionMs} ms); etcd database ${mebibytes(result.etcdBytesAfterBurst)} after the burst, ${mebibytes(result.etcdBytesAtSteadyState)} at steady state`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

runAsScript(import.meta.url, ([count, retentionMs, rateList]) => {
  const n = Number(count ?? "1000");
  const retention = Number(retentionMs ?? "2000");
  const rates = (rateList ?? STEADY_RATES.join(",")).split(",").map(Number).filter((rate) => rate > 0);
  return run(Number.isFinite(n) && n > 0 ? n : 1000, Number.isFinite(retention) && retention >= 0 ? retention : 2000, rates);
});
