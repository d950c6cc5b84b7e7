import test from "ava";
import { WorkQueue } from "../queue/work-queue.js";
import { ManagerMetrics } from "./metrics.js";

function gauge(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{controller="c",name="c"}`));
  return Number(line?.slice(line.lastIndexOf(" ") + 1) ?? Number.NaN);
}

test("a worker holding a key shows in workqueue_unfinished_work_seconds and longest_running_processor_seconds until it is done", async (t) => {
  const metrics = new ManagerMetrics();
  const queue = new WorkQueue(undefined, metrics.forController("c", 1).queue);
  queue.add("a");
  queue.add("b");
  t.is(await queue.get(), "a");
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.is(await queue.get(), "b");
  await new Promise((resolve) => setTimeout(resolve, 30));
  const busy = await metrics.registry.metrics();
  t.true(gauge(busy, "workqueue_longest_running_processor_seconds") >= 0.08, "the oldest key has been held about 90 ms");
  t.true(gauge(busy, "workqueue_unfinished_work_seconds") >= 0.11, "both keys' time in flight add up");
  queue.done("a");
  queue.done("b");
  const idle = await metrics.registry.metrics();
  t.is(gauge(idle, "workqueue_longest_running_processor_seconds"), 0);
  t.is(gauge(idle, "workqueue_unfinished_work_seconds"), 0);
});
