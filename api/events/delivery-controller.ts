import type { EventDelivery, EventDeliveryStatus } from "../../crds/types/index.js";
import {
  objectKey,
  refOf,
  setCondition,
  updateStatus,
  type Controller,
  type Manager,
  type Reconciler,
  type Request,
  type Result,
} from "../../reconcilers/index.js";
import type { AttemptResult, DeliveryClient } from "./delivery-client.js";
import { DeliveryMetrics } from "./delivery-metrics.js";
import { isSettled, isWaitingBehind, nextInLine, ORDER_INDEX, orderGroup } from "./delivery-order.js";
import { isUndeliverable, requestFor, type AnalyticsSettings, type Undeliverable } from "./delivery-request.js";
import { afterAttempt, nextStep, retryRequested } from "./delivery-state.js";
import { endpointOf, EndpointSlots } from "./endpoint-slots.js";
import { asDelivery, asKube, asSubscriber, EVENT_DELIVERY } from "./kube-objects.js";
import { RetentionSweep } from "./retention-sweep.js";
import type { RetryPolicy } from "./retry-schedule.js";
import { DISABLED_CONDITION, isDisabled, SUBSCRIBER } from "./subscriber-resource.js";
import { WrittenVersions } from "./written-versions.js";

export { EVENT_DELIVERY } from "./kube-objects.js";

/**
 * Set it to a new value to send a DeadLettered delivery back to Pending, or to attempt a Retrying one now rather
 * than at its next time: `kubectl annotate ed NAME orchest.io/retry=$(date +%s) --overwrite`.
 */
export const RETRY_ANNOTATION = "orchest.io/retry";

export interface DeliveryControllerOptions {
  namespace: string;
  /** The one HTTP client of the process: its connection pools are per endpoint. */
  http: DeliveryClient;
  /** A delivery's spec.maxAttempts overrides the policy's. */
  retryPolicy: RetryPolicy;
  /**
   * How long Delivered records are kept before they are deleted, a recording bucket at a time (RetentionSweep);
   * 0 deletes each instead of recording Delivered.
   */
  retentionMs: number;
  /** Attempts in flight per endpoint; keep it at the DeliveryClient's sockets per endpoint. */
  maxInFlightPerEndpoint: number;
  /** Undefined: telemetry off or no backend, analytics deliveries are dead-lettered unsent. */
  analytics?: AnalyticsSettings;
  /** Workers for the bookkeeping; attempts run beside them and never hold one. @default 4 */
  workers?: number;
}

/** The EventDelivery controller; stop it (it waits for attempts in flight) before stopping the manager. */
export interface DeliveryController {
  readonly controller: Controller;
  stop(): Promise<void>;
}

/**
 * Delivers EventDeliveries: watch-driven, with requeueAfter for retries and retention, never polling.
 *
 * A reconcile only decides; the attempt itself runs beside the workers, so a receiver that hangs until the
 * timeout holds no worker and delays no other endpoint. Per endpoint at most `maxInFlightPerEndpoint`
 * attempts run at once (EndpointSlots). A key with an attempt in flight is not reconciled again until the
 * attempt's status is written and seen in the cache (WrittenVersions): that is what keeps a stale cache
 * from sending twice. A crash between a 2xx and the status write sends again after restart with the same
 * webhook-id: at-least-once, as Standard Webhooks expects receivers to handle.
 */
export function addEventDeliveryController(manager: Manager, options: DeliveryControllerOptions): DeliveryController {
  const { client, informers } = manager;
  const scope = { namespace: options.namespace };
  const deliveries = informers.informerFor(EVENT_DELIVERY, scope);
  const subscribers = informers.informerFor(SUBSCRIBER, scope);
  const secrets = informers.informerFor({ apiVersion: "v1", kind: "Secret" }, scope);
  deliveries.addIndexer(ORDER_INDEX, (obj) => orderGroup(asDelivery(obj)));
  const groupOf = (delivery: EventDelivery) => orderGroup(delivery).flatMap((group) => deliveries.byIndex(ORDER_INDEX, group).map(asDelivery));
  const cachedDelivery = (key: string) => {
    const obj = deliveries.get(key);
    return obj && asDelivery(obj);
  };
  const cachedSubscriber = (name: string) => {
    const obj = subscribers.get(`${options.namespace}/${name}`);
    return obj && asSubscriber(obj);
  };
  const metrics = new DeliveryMetrics(manager.metrics.registry, () => deliveries.list().map(asDelivery).filter((d) => !isSettled(d)));
  const written = new WrittenVersions();
  const inFlight = new Map<string, Promise<void>>();
  let stopping = false;
  const sweep = new RetentionSweep({
    client,
    namespace: options.namespace,
    deliveries,
    retentionMs: options.retentionMs,
    busy: (key) => inFlight.has(key) || written.isPending(key),
    deleted: (key, uid) => written.rememberDeletion(key, uid),
  });

  const secretValue = (name: string, key: string) => {
    const data = (secrets.get(`${options.namespace}/${name}`) as { data?: Record<string, string> } | undefined)?.data?.[key];
    return data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
  };

  const writeStatus = async (delivery: EventDelivery, status: EventDeliveryStatus): Promise<void> => {
    const key = objectKey(asKube(delivery));
    // The whole status, replaced: a merge patch would keep fields the new phase drops (nextAttemptTime).
    const stored = await client.patch(refOf(asKube(delivery)), [{ op: "add", path: "/status", value: { ...status, observedGeneration: delivery.metadata!.generation } }], "json", "status");
    written.remember(key, stored.metadata.resourceVersion!);
    if (status.phase === "Delivered") metrics.finished(delivery.spec.subscriber.type, "delivered");
    if (status.phase === "DeadLettered") metrics.finished(delivery.spec.subscriber.type, "dead_lettered");
  };

  const disableSubscriber = async (delivery: EventDelivery): Promise<void> => {
    const subscriber = cachedSubscriber(delivery.spec.subscriber.name);
    if (!subscriber) return;
    const conditions = setCondition(subscriber.status?.conditions, {
      type: DISABLED_CONDITION,
      status: "True",
      reason: "EndpointGone",
      message: `${delivery.spec.subscriber.url} answered 410 Gone to delivery ${delivery.metadata!.name}: no further deliveries are made. Edit the spec (e.g. a new URL) to enable the subscriber again.`,
      observedGeneration: subscriber.metadata!.generation!,
    });
    await updateStatus(client, asKube(subscriber), { ...subscriber.status, observedGeneration: subscriber.metadata!.generation, conditions });
  };

  /** Nothing to keep: one delete instead of a status write now and a delete once the record expired. */
  const deleteDelivered = async (delivery: EventDelivery, type: EventDelivery["spec"]["subscriber"]["type"]): Promise<void> => {
    const uid = delivery.metadata!.uid!;
    await client.delete(refOf(asKube(delivery)), { uid });
    written.rememberDeletion(objectKey(asKube(delivery)), uid);
    metrics.finished(type, "delivered");
  };

  /** One exchange with the endpoint; never throws, a failure to build or send the request is a failed attempt. */
  const send = async (delivery: EventDelivery): Promise<AttemptResult | Undeliverable> => {
    try {
      const request = requestFor(delivery, { secretValue, analytics: options.analytics }, new Date());
      return isUndeliverable(request) ? request : await options.http.post(request);
    } catch (err) {
      return { outcome: "failed", error: (err as Error).message };
    }
  };

  const attempt = async (delivery: EventDelivery, endpoint: string): Promise<void> => {
    const { type } = delivery.spec.subscriber;
    const started = performance.now();
    // The slot bounds requests to the endpoint, so it is free once the answer is in; the key itself stays
    // in flight until the outcome is recorded, which is what prevents a second send.
    const result = await send(delivery).finally(() => slots.release(endpoint));
    if (isUndeliverable(result)) {
      return writeStatus(delivery, { ...delivery.status, phase: "DeadLettered", reason: result.reason, message: result.message });
    }
    metrics.attempted(type, result, (performance.now() - started) / 1000);
    const policy = { ...options.retryPolicy, maxAttempts: delivery.spec.maxAttempts ?? options.retryPolicy.maxAttempts };
    const transition = afterAttempt(delivery.status, result, new Date(), policy);
    if (transition.status.phase === "Delivered" && options.retentionMs === 0) return deleteDelivered(delivery, type);
    const retryMarker = delivery.status?.lastRetryRequest;
    await writeStatus(delivery, { ...transition.status, ...(retryMarker === undefined ? {} : { lastRetryRequest: retryMarker }) });
    if (transition.disableSubscriber) await disableSubscriber(delivery);
  };

  /** Runs a key's slow step beside the workers; the key is not reconciled until it is over. */
  const beside = (key: string, what: string, work: () => Promise<unknown>): Promise<void> => {
    const running = work()
      .then(
        () => undefined,
        (err: Error) => {
          manager.logger.error(`${what} failed; tried again`, { key, error: err });
          controller.queue.addRateLimited(key);
        },
      )
      .finally(() => inFlight.delete(key));
    inFlight.set(key, running);
    return running;
  };

  /** When the attempt is recorded the key is reconciled again: a watch event may have come while it was in flight. */
  const launch = (key: string, delivery: EventDelivery, endpoint: string) =>
    void beside(key, "recording an attempt", () => attempt(delivery, endpoint)).then(() => controller.queue.add(key));

  const decide = async (key: string): Promise<Result | void> => {
    if (inFlight.has(key) || stopping) return;
    const delivery = cachedDelivery(key);
    if (!delivery) return written.forget(key);
    if (!written.isSeen(key, delivery.metadata!.resourceVersion!, delivery.metadata!.uid)) return;
    const status = delivery.status;

    const retry = delivery.metadata?.annotations?.[RETRY_ANNOTATION];
    if (retry !== undefined && retry !== status?.lastRetryRequest) {
      // Acted on once per value; on a delivery that is neither dead-lettered nor retrying it is only acknowledged.
      return writeStatus(delivery, { ...retryRequested(status, new Date()), lastRetryRequest: retry });
    }

    const step = nextStep(status, new Date(), options.retentionMs);
    switch (step.action) {
      case "none":
        return;
      case "wait":
        return { requeueAfter: step.ms };
      case "delete": {
        // Beside the workers too: a batch of expiring records must not hold up deliveries. The watch's
        // delete event wakes whatever depends on it.
        const bucket = RetentionSweep.bucketOf(delivery);
        if (bucket === undefined) return void beside(key, "deleting a delivered record", () => client.delete(refOf(asKube(delivery)), { uid: delivery.metadata!.uid! }));
        // Beside the workers, but not as this key's work in flight: a bucket is swept only when none of its
        // records is in flight, this one included.
        const again = sweep.expired(bucket, new Date(), (err) => {
          manager.logger.error("sweeping expired delivered records failed; tried again", { key, bucket, error: err });
          controller.queue.addRateLimited(key);
        });
        return again === undefined ? undefined : { requeueAfter: again };
      }
      case "attempt":
        break;
    }
    if (isWaitingBehind(delivery, groupOf(delivery))) return; // woken when the one ahead settles
    const subscriber = cachedSubscriber(delivery.spec.subscriber.name);
    if (delivery.spec.subscriber.type === "Webhook" && subscriber && isDisabled(subscriber)) {
      return writeStatus(delivery, { ...status, phase: "DeadLettered", reason: "SubscriberDisabled", message: `Subscriber ${subscriber.metadata!.name} is disabled (its endpoint answered 410 Gone): not sent` });
    }
    const endpoint = endpointOf(delivery.spec.subscriber.url ?? options.analytics?.host ?? "analytics");
    if (!slots.tryAcquire(endpoint, key)) return; // woken when a slot frees
    launch(key, delivery, endpoint);
  };

  const reconcile: Reconciler = async (request: Request) => {
    const key = objectKey(request);
    try {
      return await decide(key);
    } finally {
      slots.decline(key);
    }
  };

  const controller = manager.addController({ name: "eventdelivery", reconciler: reconcile, maxConcurrentReconciles: options.workers ?? 4 });
  const slots = new EndpointSlots(options.maxInFlightPerEndpoint, (key) => controller.queue.add(key));
  controller.watch(deliveries, {
    // A delivery that settles (or goes away) lets the next one of its aggregate go.
    map: (obj) => {
      const delivery = asDelivery(obj);
      const self = { namespace: obj.metadata.namespace, name: obj.metadata.name! };
      const gone = !deliveries.get(objectKey(obj));
      const next = gone || isSettled(delivery) ? nextInLine(groupOf(delivery)) : undefined;
      return next ? [self, { namespace: next.metadata!.namespace, name: next.metadata!.name! }] : [self];
    },
  });
  return {
    controller,
    async stop() {
      stopping = true;
      await Promise.all(inFlight.values());
    },
  };
}
