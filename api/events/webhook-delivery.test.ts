import test from "ava";
import { createHmac, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { eventually } from "../../testbed/eventually.js";
import { AddressPolicy } from "./address-policy.js";
import { DeliveryClient, type DeliveryClientOptions } from "./delivery-client.js";
import { afterAttempt, type Transition } from "./delivery-state.js";
import { startReceiver, type Answer } from "./loopback-receiver.js";
import type { RetryPolicy } from "./retry-schedule.js";
import { webhookRequest, type WebhookMessage, type WebhookTarget } from "./webhook-request.js";

// Only loopback receivers are ever targets, and only because the tests allow loopback explicitly.
const LOOPBACK = new AddressPolicy(["127.0.0.0/8", "::1/128"]);
const FAST: RetryPolicy = { scheduleMs: [40, 80, 120], maxAttempts: 5, jitter: 0, maxRetryAfterMs: 2000 };
const message: WebhookMessage = {
  eventId: "5b0c8f3e-6a55-4a5e-9a56-0d2f7b7c1e01",
  eventType: "project:one-off-job:pipeline-run:failed",
  deliveryName: "alerts-0123456789abcdef0123456789abcdef",
  payload: { uuid: "5b0c8f3e-6a55-4a5e-9a56-0d2f7b7c1e01", type: "project:one-off-job:pipeline-run:failed", project: { name: "churn" } },
};

function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** A deadline far above any answer's time on a loaded machine: tests where the deadline is the subject set their own. */
function client(options: Partial<DeliveryClientOptions> = {}): DeliveryClient {
  return new DeliveryClient({ addressPolicy: LOOPBACK, timeoutMs: 10_000, ...options });
}

/** What the EventDelivery reconciler will do, minus Kubernetes: attempt, record, wait as told, until settled. */
async function deliverUntilSettled(sender: DeliveryClient, target: WebhookTarget, policy = FAST): Promise<Transition[]> {
  const transitions: Transition[] = [];
  for (;;) {
    const result = await sender.post(webhookRequest(target, message, new Date()));
    const transition = afterAttempt(transitions.at(-1)?.status, result, new Date(), policy, () => 0.5);
    transitions.push(transition);
    if (transition.requeueAfterMs === undefined) return transitions;
    await sleep(transition.requeueAfterMs);
  }
}

async function withReceiver(t: { teardown(fn: () => unknown): void }, answer: (n: number) => Answer, options: Partial<DeliveryClientOptions> = {}) {
  const receiver = await startReceiver(answer);
  const sender = client(options);
  t.teardown(async () => {
    sender.close();
    await receiver.close();
  });
  return { receiver, sender };
}

test("a delivered webhook is signed so that the receiver's secret verifies it", async (t) => {
  const { receiver, sender } = await withReceiver(t, () => ({ status: 204 }));
  const secret = newSecret();
  const [transition] = await deliverUntilSettled(sender, { url: receiver.url, secret, format: "json" });
  t.is(transition?.status.phase, "Delivered");
  t.is(transition?.status.lastResponseCode, 204);
  const [request] = receiver.received;
  const headers = request!.headers as Record<string, string>;
  t.deepEqual(new Webhook(secret).verify(request!.body, headers), message.payload);
  t.throws(() => new Webhook(newSecret()).verify(request!.body, headers), undefined, "another secret does not verify");
  t.is(headers["webhook-id"], message.eventId);
  t.is(headers["x-orchest-event"], message.eventType);
  t.is(headers["x-orchest-delivery"], message.deliveryName);
  t.is(headers["content-type"], "application/json");
});

test("a receiver written for Orchest verifies X-Hub-Signature (hex HMAC-SHA256 of the body, keyed by the secret as written) beside the Standard Webhooks headers", async (t) => {
  const { receiver, sender } = await withReceiver(t, () => ({ status: 204 }));
  const secret = newSecret();
  await deliverUntilSettled(sender, { url: receiver.url, secret, format: "json" });
  const [request] = receiver.received;
  const headers = request!.headers as Record<string, string>;
  t.is(headers["x-hub-signature"], createHmac("sha256", Buffer.from(secret, "utf8")).update(request!.body).digest("hex"));
  t.deepEqual(new Webhook(secret).verify(request!.body, headers), message.payload);
});

test("an Orchest secret (any text, not base64) is accepted: it keys both signatures by its UTF-8 bytes", async (t) => {
  const { receiver, sender } = await withReceiver(t, () => ({ status: 204 }));
  const secret = "orchest's secret: not base64, ünïcode & spaces";
  const [transition] = await deliverUntilSettled(sender, { url: receiver.url, secret, format: "json" });
  t.is(transition?.status.phase, "Delivered");
  const [request] = receiver.received;
  const headers = request!.headers as Record<string, string>;
  t.is(headers["x-hub-signature"], createHmac("sha256", Buffer.from(secret, "utf8")).update(request!.body).digest("hex"));
  t.deepEqual(new Webhook(Buffer.from(secret, "utf8"), { format: "raw" }).verify(request!.body, headers), message.payload);
});

test("a receiver failing with a 500, a timeout and a connection reset is retried per schedule until it answers 2xx", async (t) => {
  const script: Answer[] = [{ status: 500 }, "hang", "reset", { status: 200 }];
  // The hanging attempt ends at this deadline; the others answer long before it, even on a loaded machine.
  const { receiver, sender } = await withReceiver(t, (n) => script[n]!, { timeoutMs: 2000 });
  const transitions = await deliverUntilSettled(sender, { url: receiver.url, secret: newSecret(), format: "json" });

  t.deepEqual(transitions.map((x) => x.status.phase), ["Retrying", "Retrying", "Retrying", "Delivered"]);
  t.deepEqual(transitions.map((x) => x.status.lastResponseCode), [500, undefined, undefined, 200]);
  t.regex(transitions[0]!.status.message!, /HTTP 500/);
  t.regex(transitions[1]!.status.message!, /within 2000 ms/);
  t.regex(transitions[2]!.status.message!, /ECONNRESET|socket hang up/);
  t.is(transitions[3]!.status.attempts, 4);
  t.deepEqual(transitions.slice(0, 3).map((x) => x.requeueAfterMs), [40, 80, 120], "the schedule, without jitter here");

  // The waits are the requeue delays above; gaps between arrivals are not asserted (a loaded machine stretches them,
  // and delays an arrival past the sender's deadline clock).
  t.is(receiver.received.length, 4);
  t.is(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size, 1, "every retry carries the same webhook-id");
});

test("a receiver that always fails ends dead-lettered after the last attempt, with the last error", async (t) => {
  const { receiver, sender } = await withReceiver(t, () => ({ status: 502 }));
  const transitions = await deliverUntilSettled(sender, { url: receiver.url, secret: newSecret(), format: "json" }, { ...FAST, scheduleMs: [10], maxAttempts: 3 });
  const last = transitions.at(-1)!.status;
  t.is(receiver.received.length, 3);
  t.is(last.phase, "DeadLettered");
  t.is(last.reason, "AttemptsExhausted");
  t.is(last.lastResponseCode, 502);
  t.regex(last.message!, /gave up after 3 attempts; last error: HTTP 502: receiver says hello/);
});

test("Retry-After is honoured: no retry before the receiver asked", async (t) => {
  const { receiver, sender } = await withReceiver(t, (n) => (n === 0 ? { status: 503, headers: { "retry-after": "1" } } : { status: 200 }));
  const transitions = await deliverUntilSettled(sender, { url: receiver.url, secret: newSecret(), format: "json" });
  t.is(transitions[0]!.requeueAfterMs, 1000, "longer than the schedule's 40 ms");
  t.is(receiver.received.length, 2);
  t.is(transitions.at(-1)!.status.phase, "Delivered");
});

test("a redirect is not followed and counts as a failed attempt", async (t) => {
  const elsewhere = await startReceiver(() => ({ status: 200 }));
  t.teardown(() => elsewhere.close());
  const { receiver, sender } = await withReceiver(t, () => ({ status: 307, headers: { location: elsewhere.url } }));
  const result = await sender.post(webhookRequest({ url: receiver.url, secret: newSecret(), format: "json" }, message, new Date()));
  t.like(result, { outcome: "failed", statusCode: 307 });
  t.regex(result.outcome === "failed" ? result.error : "", /redirect to http:\/\/127\.0\.0\.1:\d+\/hooks not followed/);
  t.is(elsewhere.received.length, 0);
});

test("410 Gone dead-letters the delivery at once and asks for the subscriber to be disabled", async (t) => {
  const { receiver, sender } = await withReceiver(t, () => ({ status: 410 }));
  const transitions = await deliverUntilSettled(sender, { url: receiver.url, secret: newSecret(), format: "json" });
  t.is(transitions.length, 1);
  t.like(transitions[0], { disableSubscriber: true, status: { phase: "DeadLettered", reason: "SubscriberGone", lastResponseCode: 410 } });
  t.is(receiver.received.length, 1);
});

test("refuses a webhook to a loopback address unless the address policy allows it", async (t) => {
  const { receiver } = await withReceiver(t, () => ({ status: 200 }));
  const strict = client({ addressPolicy: new AddressPolicy() });
  t.teardown(() => strict.close());
  const request = webhookRequest({ url: receiver.url, secret: newSecret(), format: "json" }, message, new Date());
  const result = await strict.post(request);
  t.is(result.outcome, "refused");
  t.regex(result.outcome === "refused" ? result.error : "", /127\.0\.0\.1 is in a loopback range/);
  const ipv6 = await strict.post({ ...request, url: `http://[::1]:${receiver.port}/hooks` });
  t.is(ipv6.outcome, "refused");
  t.is(receiver.received.length, 0);
});

test("refuses a webhook whose name resolves to a private address, checking the address actually dialled", async (t) => {
  const { receiver } = await withReceiver(t, () => ({ status: 200 }));
  // A public-looking name that an attacker pointed at the loopback interface.
  const resolve = async (hostname: string) => (hostname === "hooks.example.test" ? [{ address: "127.0.0.1", family: 4 }] : []);
  const url = `http://hooks.example.test:${receiver.port}/hooks`;
  const request = webhookRequest({ url, secret: newSecret(), format: "json" }, message, new Date());

  const strict = client({ addressPolicy: new AddressPolicy(), resolve });
  const allowing = client({ resolve });
  t.teardown(() => (strict.close(), allowing.close()));

  const refused = await strict.post(request);
  t.is(refused.outcome, "refused");
  t.regex(refused.outcome === "refused" ? refused.error : "", /hooks\.example\.test resolves only to refused addresses: 127\.0\.0\.1 is in a loopback range/);
  t.is(receiver.received.length, 0, "nothing reached the receiver");

  t.like(await strict.post({ ...request, url: `http://localhost:${receiver.port}/hooks` }), { outcome: "refused" }, "the system resolver too");
  t.like(await allowing.post(request), { outcome: "delivered", statusCode: 200 }, "the same name, once loopback is allowed");
  t.is(receiver.received.length, 1);
});

test("attempts to one endpoint are bounded in concurrency, the rest wait their turn", async (t) => {
  const fast = await startReceiver(() => ({ status: 200 }));
  let holding = true;
  const slow = await startReceiver(() => (holding ? "hold" : { status: 200 }));
  // No deadline comes into play here: the slow receiver answers when the test releases it.
  const bounded = client({ maxSocketsPerEndpoint: 2, timeoutMs: 120_000 });
  t.teardown(async () => (bounded.close(), await fast.close(), await slow.close()));
  const post = (url: string) => bounded.post(webhookRequest({ url, secret: newSecret(), format: "json" }, message, new Date()));

  let slowSettled = 0;
  const slowPosts = Promise.all(Array.from({ length: 6 }, () => post(slow.url).finally(() => slowSettled++)));
  await eventually("two attempts held by the slow receiver", () => slow.inFlight === 2);
  t.like(await post(fast.url), { outcome: "delivered" }, "another endpoint is not held up by a slow one");
  t.is(slowSettled, 0, "the fast answer came while the slow endpoint still held its attempts");
  t.is(slow.received.length, 2, "the other four wait for a free connection");

  holding = false;
  t.is(slow.releaseHeld(), 2);
  const results = await slowPosts;
  t.true(results.every((result) => result.outcome === "delivered"));
  t.is(slow.received.length, 6);
  t.is(slow.maxInFlight, 2, "never more than 2 at once");
});

test("an attempt waiting for a connection gets its whole deadline once it has one", async (t) => {
  // The first two attempts hang until their deadline; the four queued behind them are answered at once.
  const receiver = await startReceiver((n) => (n < 2 ? "hang" : { status: 200 }));
  const bounded = client({ maxSocketsPerEndpoint: 2, timeoutMs: 1000 });
  t.teardown(async () => (bounded.close(), await receiver.close()));
  const results = await Promise.all(
    Array.from({ length: 6 }, () => bounded.post(webhookRequest({ url: receiver.url, secret: newSecret(), format: "json" }, message, new Date()))),
  );
  // Were the wait counted against the deadline, the queued four would expire together with the first two.
  t.deepEqual(results.map((result) => result.outcome), ["failed", "failed", "delivered", "delivered", "delivered", "delivered"]);
  t.is(receiver.received.length, 6);
  t.is(receiver.maxInFlight, 2);
});
