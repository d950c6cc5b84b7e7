import test from "ava";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { linkedSignal } from "./signals.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** How many of `count` signals made by `make` (each with a listener, nothing else holding it) abort while the collector runs. */
async function abortsThroughGc(make: (parent: AbortSignal) => AbortSignal, count = 20): Promise<number> {
  const parent = new AbortController();
  setMaxListeners(count + 1, parent.signal);
  let fired = 0;
  const settled = Array.from({ length: count }, () => {
    const signal = make(parent.signal);
    return new Promise<void>((resolve) => {
      signal.addEventListener("abort", () => {
        fired++;
        resolve();
      });
      setTimeout(resolve, 2_000);
    });
  });
  for (let i = 0; i < 10; i++) {
    await sleep(20);
    gc();
  }
  await Promise.all(settled);
  return fired;
}

test("a linked signal's deadline fires even when nothing but its listener refers to it and the collector runs", async (t) => {
  t.is(await abortsThroughGc((parent) => linkedSignal([parent], 100).signal), 20);
  // Why not AbortSignal.any: on this Node, the same composite loses its abort (nodejs/node#57736).
  t.log(`AbortSignal.any([parent, AbortSignal.timeout(100)]): ${await abortsThroughGc((parent) => AbortSignal.any([parent, AbortSignal.timeout(100)]))} of 20 aborted`);
});

test("a linked signal aborts with its parent's reason, at once if the parent already aborted, and dispose stops the deadline", async (t) => {
  const parent = new AbortController();
  const linked = linkedSignal([parent.signal, undefined], 60_000);
  parent.abort("stop");
  t.true(linked.signal.aborted);
  t.is(linked.signal.reason, "stop");
  t.is(linkedSignal([parent.signal], 60_000).signal.reason, "stop");

  const disposed = linkedSignal([], 20);
  disposed.dispose();
  await sleep(60);
  t.false(disposed.signal.aborted);
  const timedOut = linkedSignal([], 20);
  await sleep(60);
  t.is((timedOut.signal.reason as DOMException).name, "TimeoutError");
});
