import test from "ava";
import { ExponentialRateLimiter } from "./rate-limiter.js";
import { WorkQueue } from "./work-queue.js";

test("merges adds of a key that is waiting", async (t) => {
  const queue = new WorkQueue();
  queue.add("a");
  queue.add("b");
  queue.add("a");
  t.is(queue.length, 2);
  t.is(await queue.get(), "a");
  t.is(await queue.get(), "b");
});

test("never hands one key to two workers at once", async (t) => {
  const queue = new WorkQueue();
  queue.add("a");
  const first = await queue.get();
  queue.add("a"); // changed while being processed
  queue.add("b");
  t.is(await queue.get(), "b", "the second worker gets another key, not a");
  t.is(queue.length, 0);
  queue.done(first!);
  t.is(await queue.get(), "a", "the add that came during processing runs once more after done");
});

test("concurrent workers under load never overlap on a key and lose no add", async (t) => {
  const queue = new WorkQueue();
  const active = new Set<string>();
  const lastSeen = new Map<string, number>();
  const lastAdded = new Map<string, number>();
  let overlaps = 0;
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (active.has(key)) overlaps++;
      active.add(key);
      const version = lastAdded.get(key)!;
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      lastSeen.set(key, version);
      active.delete(key);
      queue.done(key);
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  for (let i = 0; i < 2000; i++) {
    const key = `k${i % 10}`;
    lastAdded.set(key, i);
    queue.add(key);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  while (queue.length > 0 || queue.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  queue.shutDown();
  await Promise.all(workers);
  t.is(overlaps, 0);
  for (const [key, version] of lastAdded) t.is(lastSeen.get(key), version, `${key} processed after its last add`);
});

test("addAfter keeps the earliest deadline of a key", async (t) => {
  const queue = new WorkQueue();
  queue.addAfter("a", 500);
  queue.addAfter("a", 10);
  queue.addAfter("a", 1000);
  const started = Date.now();
  t.is(await queue.get(), "a");
  t.true(Date.now() - started < 400);
  queue.done("a");
  queue.shutDown();
  t.is(await queue.get(), undefined, "the later deadlines were merged, not queued again");
});

test("per-item backoff doubles from 5ms, caps near 16 minutes, and forget resets it", (t) => {
  const limiter = new ExponentialRateLimiter();
  t.deepEqual([0, 1, 2, 3].map(() => limiter.when("a")), [5, 10, 20, 40]);
  t.is(limiter.when("b"), 5, "items back off independently");
  for (let i = 0; i < 40; i++) limiter.when("a");
  t.is(limiter.when("a"), 1000_000);
  limiter.forget("a");
  t.is(limiter.when("a"), 5);
});

test("a failing key is retried after its backoff", async (t) => {
  const queue = new WorkQueue(new ExponentialRateLimiter(20, 1000));
  queue.add("a");
  await queue.get();
  queue.addRateLimited("a");
  queue.done("a");
  t.is(queue.length, 0, "not before the delay");
  const started = Date.now();
  t.is(await queue.get(), "a");
  t.true(Date.now() - started >= 15);
});

test("shutdown wakes idle workers and drain waits for the one at work", async (t) => {
  const queue = new WorkQueue();
  queue.add("a");
  const key = await queue.get();
  const idle = queue.get();
  let drained = false;
  const draining = queue.shutDownWithDrain().then(() => (drained = true));
  t.is(await idle, undefined);
  queue.add("b");
  t.is(queue.length, 0, "no intake after shutdown");
  await new Promise((r) => setTimeout(r, 10));
  t.false(drained);
  queue.done(key!);
  await draining;
  t.true(drained);
});
