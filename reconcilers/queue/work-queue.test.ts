import test from "ava";
import { BucketRateLimiter, defaultControllerRateLimiter, ExponentialRateLimiter } from "./rate-limiter.js";
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

test("addAfter keeps the earliest deadline of a key, and drops the later ones", async (t) => {
  const queue = new WorkQueue();
  queue.addAfter("a", 500);
  queue.addAfter("a", 10);
  queue.addAfter("a", 1000);
  queue.addAfter("b", 100);
  t.is(await queue.get(), "a", "a's earliest deadline (10 ms) comes before b's (100 ms)");
  queue.done("a");
  t.is(await queue.get(), "b");
  queue.done("b");
  queue.addAfter("c", 700);
  t.is(await queue.get(), "c", "a's later deadlines (500, 1000 ms) were merged into the first, not queued again");
  queue.shutDown();
});

test("a delay beyond setTimeout's 2^31-1 ms does not fire at once", async (t) => {
  const queue = new WorkQueue();
  queue.addAfter("in-a-month", 30 * 24 * 3600_000);
  queue.addAfter("soon", 20);
  t.is(await queue.get(), "soon", "the month-long wait did not overflow into 1 ms");
  queue.done("soon");
  t.is(queue.length, 0);
  queue.shutDown();
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
  t.is(queue.rateLimiter.failures("a"), 1);
  t.is(await queue.get(), "a");
});

test("the default limiter spreads a burst of failing keys: the first 100 at their own backoff, then 10 per second", (t) => {
  // The burst comes at one instant of the limiter's clock: the delays follow from the counts alone.
  const limiter = defaultControllerRateLimiter(() => 0);
  const delays = Array.from({ length: 150 }, (_, i) => limiter.when(`key-${i}`));
  t.deepEqual(delays.slice(0, 100), Array.from({ length: 100 }, () => 5), "within the burst: the per-item 5 ms");
  t.is(delays[100], 100, "the 101st waits for one token at 10 per second");
  t.is(delays[149], 5000, "the 150th waits for 50 tokens");
});

test("the bucket's tokens come back at qps, up to the burst", (t) => {
  let now = 0;
  const bucket = new BucketRateLimiter(10, 2, () => now);
  t.deepEqual([bucket.when(), bucket.when(), bucket.when()], [0, 0, 100]);
  now = 1000;
  t.deepEqual([bucket.when(), bucket.when(), bucket.when()], [0, 0, 100], "refilled to the burst of 2, not to 10");
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
