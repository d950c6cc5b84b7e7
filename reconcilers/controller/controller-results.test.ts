import test from "ava";
import { ExponentialRateLimiter } from "../queue/rate-limiter.js";
import { waitFor } from "../testing.js";
import { Controller } from "./controller.js";
import { TerminalError, type Reconciler } from "./reconciler.js";

// A controller without watches: the test feeds its queue directly.
async function run(reconciler: Reconciler) {
  const controller = new Controller({ name: "test", reconciler, rateLimiter: new ExponentialRateLimiter(10, 1000) });
  await controller.start();
  return controller;
}

test("an error is retried with growing backoff until it succeeds, then forgotten", async (t) => {
  const times: number[] = [];
  const controller = await run(async () => {
    times.push(Date.now());
    if (times.length < 4) throw new Error("not yet");
  });
  controller.queue.add("ns/a");
  await waitFor("four attempts", () => times.length === 4);
  const gaps = times.slice(1).map((time, i) => time - times[i]!);
  t.true(gaps[0]! >= 8 && gaps[1]! >= 18 && gaps[2]! >= 38, `backoff doubles: ${gaps}`);
  t.is(controller.queue.rateLimiter.failures("ns/a"), 0, "success forgets the failures");
  await controller.stop();
});

test("a terminal error is not retried", async (t) => {
  let calls = 0;
  const controller = await run(async () => {
    calls++;
    throw new TerminalError("invalid spec");
  });
  controller.queue.add("a");
  await waitFor("one attempt", () => calls === 1);
  await new Promise((r) => setTimeout(r, 100));
  t.is(calls, 1);
  await controller.stop();
});

test("requeueAfter runs the key again after the delay", async (t) => {
  const times: number[] = [];
  const controller = await run(async ({ name }) => {
    times.push(Date.now());
    t.is(name, "a");
    return times.length === 1 ? { requeueAfter: 50 } : {};
  });
  controller.queue.add("a");
  await waitFor("two runs", () => times.length === 2);
  t.true(times[1]! - times[0]! >= 45);
  await controller.stop();
});

test("stop waits for the running reconcile and takes no new key", async (t) => {
  let finished = false;
  let started = 0;
  const controller = await run(async () => {
    started++;
    await new Promise((r) => setTimeout(r, 50));
    finished = true;
  });
  controller.queue.add("a");
  await waitFor("started", () => started === 1);
  await controller.stop();
  t.true(finished);
  controller.queue.add("b");
  await new Promise((r) => setTimeout(r, 20));
  t.is(started, 1);
});
