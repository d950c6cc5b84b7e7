import test from "ava";
import type { EventDelivery } from "../../crds/types/index.js";
import { isWaitingBehind, nextInLine, orderGroup } from "./delivery-order.js";
import { EndpointSlots, endpointOf } from "./endpoint-slots.js";
import { WrittenVersions } from "./written-versions.js";

const delivery = (name: string, timestamp: string, phase?: "Pending" | "Delivered" | "DeadLettered"): EventDelivery => ({
  metadata: { name },
  spec: { event: { id: name, type: "project:one-off-job:pipeline-run:started", timestamp, aggregate: "project.job.pipeline_run/r1" }, subscriber: { name: "hooks", type: "Webhook", url: "https://example.com/h", format: "json" } },
  ...(phase ? { status: { phase } } : {}),
});

test("a delivery waits behind the unsettled earlier events of its aggregate, and not behind settled ones", (t) => {
  const created = delivery("a", "2024-01-01T00:00:00Z");
  const started = delivery("b", "2024-01-01T00:00:01Z");
  t.deepEqual(orderGroup(created), ["hooks/project.job.pipeline_run/r1"]);
  t.true(isWaitingBehind(started, [created, started]));
  t.false(isWaitingBehind(created, [created, started]));
  t.is(nextInLine([started, created]), created);
  for (const phase of ["Delivered", "DeadLettered"] as const) {
    t.false(isWaitingBehind(started, [delivery("a", "2024-01-01T00:00:00Z", phase), started]));
  }
  const { aggregate: _, ...unordered } = started.spec.event;
  t.deepEqual(orderGroup({ ...started, spec: { ...started.spec, event: unordered } }), [], "no aggregate, no order");
});

test("endpoint slots park keys beyond the limit and wake one per freed slot", (t) => {
  const woken: string[] = [];
  const slots = new EndpointSlots(2, (key) => woken.push(key));
  const hooks = endpointOf("https://example.com/h?x=1");
  t.true(slots.tryAcquire(hooks, "a"));
  t.true(slots.tryAcquire(hooks, "b"));
  t.false(slots.tryAcquire(hooks, "c"));
  t.false(slots.tryAcquire(hooks, "d"));
  t.true(slots.tryAcquire(endpointOf("https://other.example.com/h"), "e"), "another endpoint is not held up");
  slots.release(hooks);
  t.deepEqual(woken, ["c"]);
  t.true(slots.tryAcquire(hooks, "c"));
  t.is(slots.inFlight, 3);
});

test("our own writes are waited for until the cache has caught up", (t) => {
  const written = new WrittenVersions();
  written.remember("ns/a", "120");
  t.false(written.isSeen("ns/a", "119"));
  t.true(written.isSeen("ns/a", "120"));
  t.true(written.isSeen("ns/a", "100"), "forgotten once seen");
});

test("a woken key that does not need its slot passes it on to the next parked one", (t) => {
  const woken: string[] = [];
  const slots = new EndpointSlots(1, (key) => woken.push(key));
  t.true(slots.tryAcquire("e", "a"));
  t.false(slots.tryAcquire("e", "b"));
  t.false(slots.tryAcquire("e", "c"));
  slots.release("e");
  slots.decline("b");
  t.deepEqual(woken, ["b", "c"]);
  slots.decline("x");
  t.deepEqual(woken, ["b", "c"], "declining without having been woken changes nothing");
});
