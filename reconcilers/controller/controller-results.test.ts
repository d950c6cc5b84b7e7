import test from "ava";
import { ExponentialRateLimiter, type RateLimiter } from "../queue/rate-limiter.js";
import { waitFor } from "../testing.js";
import { Controller } from "./controller.js";
import { TerminalError, type Reconciler } from "./reconciler.js";

/** An exponential limiter that records the delay it hands out for each retry: what the queue was told to wait. */
function recordingLimiter(): RateLimiter & { delays: number[] } {
  const inner = new ExponentialRateLimiter(10, 1000);
  const delays: number[] = [];
  return {
    delays,
    when: (item) => {
      const ms = inner.when(item);
      delays.push(ms);
      return ms;
    },
    forget: (item) => inner.forget(item),
    failures: (item) => inner.failures(item),
  };
}

// A controller without watches: the test feeds its queue directly.
async function run(reconciler: Reconciler, rateLimiter: RateLimiter = recordingLimiter()) {
  const controller = new Controller({ name: "test", reconciler, rateLimiter });
  await controller.start();
  return controller;
}

test("an error is retried with growing backoff until it succeeds, then forgotten", async (t) => {
  let calls = 0;
  const limiter = recordingLimiter();
  const controller = await run(async () => {
    if (++calls < 4) throw new Error("not yet");
  }, limiter);
  controller.queue.add("ns/a");
  await waitFor("four attempts, the last one done", () => calls === 4 && controller.queue.inFlight === 0);
  t.deepEqual(limiter.delays, [10, 20, 40], "each retry waited twice as long as the one before");
  t.is(controller.queue.rateLimiter.failures("ns/a"), 0, "success forgets the failures");
  await controller.stop();
});

test("a terminal error is not retried", async (t) => {
  let calls = 0;
  const limiter = recordingLimiter();
  const controller = await run(async () => {
    calls++;
    throw new TerminalError("invalid spec");
  }, limiter);
  controller.queue.add("a");
  await waitFor("one attempt, done", () => calls === 1 && controller.queue.inFlight === 0);
  t.deepEqual(limiter.delays, [], "no retry was scheduled");
  t.is(controller.queue.length, 0);
  await controller.stop();
});

test("requeueAfter runs the key again after its delay: a key due sooner runs in between", async (t) => {
  const order: string[] = [];
  let controller: Controller | undefined;
  controller = await run(async ({ name }) => {
    order.push(name);
    if (name === "a" && order.length === 1) {
      controller!.queue.addAfter("b", 20);
      return { requeueAfter: 300 };
    }
    return {};
  });
  controller.queue.add("a");
  await waitFor("a, b, then a again", () => order.length === 3);
  t.deepEqual(order, ["a", "b", "a"]);
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
  t.is(controller.queue.length, 0, "no intake after stop");
  t.is(started, 1);
});
