import test from "ava";
import type { KubeObject } from "../../reconcilers/index.js";
import { BuildLog, type LogEvent } from "./build-log.js";
import type { LogSource } from "./log-source.js";

// A scripted log source: the seam between the log follower and the Kubernetes API (pods/log), whose real
// answers on the test bed are covered by builds.test.ts.
function scripted(): LogSource & { push(line: string): void; close(): void; fail(message: string): void } {
  let pending: Array<string | Error | null> = [];
  let wake: (() => void) | undefined;
  const put = (item: string | Error | null) => {
    pending.push(item);
    wake?.();
  };
  return {
    push: (line) => put(line),
    close: () => put(null),
    fail: (message) => put(new Error(message)),
    // The lines written and not yet followed: what a read without follow would answer.
    read: async () => pending.filter((item): item is string => typeof item === "string"),
    async *follow(_namespace, _pod, _container, signal) {
      signal.addEventListener("abort", () => wake?.());
      for (;;) {
        if (pending.length === 0 && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
        if (signal.aborted) throw new Error("aborted");
        const item = pending.shift();
        if (item === null) return;
        if (item instanceof Error) throw item;
        if (item !== undefined) yield item;
      }
    },
  };
}

const build = (phase: string): KubeObject => ({ apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild", metadata: { name: "b" }, status: { phase, podName: "b-builder", reason: phase === "Succeeded" ? "Built" : "BuilderRunning" } });

test("lines stream live to listeners, late joiners replay the kept ones, and the stream ends with the outcome", async (t) => {
  const source = scripted();
  let current = build("Building");
  const log = new BuildLog("ns", { source, current: () => current, maxLines: 3, retryMs: 20 });
  const live: LogEvent[] = [];
  const { backlog } = log.subscribe((e) => live.push(e));
  t.deepEqual(backlog, []);
  for (const line of ["#1 FROM scratch", "#2 COPY . .", "#3 done", "#4 exporting"]) source.push(line);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(live.map((e) => (e.kind === "line" ? e.text : e.kind)), ["#1 FROM scratch", "#2 COPY . .", "#3 done", "#4 exporting"]);

  // Bounded: a late joiner learns that one line is gone, then gets the last three.
  const late = log.subscribe(() => {}).backlog;
  t.deepEqual(late.map((e) => (e.kind === "line" ? e.id : e.kind)), ["notice", 2, 3, 4]);
  // A reconnecting client (Last-Event-ID 3) gets only what it missed.
  t.deepEqual(log.subscribe(() => {}, 3).backlog.map((e) => (e.kind === "line" ? e.id : e.kind)), [4]);

  source.close();
  current = build("Succeeded");
  log.changed();
  await log.done;
  t.deepEqual(live.at(-1), { kind: "end", outcome: { phase: "Succeeded", reason: "Built" } });
  t.deepEqual(log.subscribe(() => {}, 4).backlog, [{ kind: "end", outcome: { phase: "Succeeded", reason: "Built" } }]);
});

test("a log that cannot be read is reported once, retried, and resumes without repeating lines", async (t) => {
  const source = scripted();
  let current = build("Building");
  const log = new BuildLog("ns", { source, current: () => current, retryMs: 10 });
  const live: LogEvent[] = [];
  log.subscribe((e) => live.push(e));
  source.push("one");
  source.fail("stream broken");
  source.push("one");
  source.push("two");
  source.close();
  current = build("Succeeded");
  await log.done;
  t.deepEqual(live.map((e) => (e.kind === "line" ? e.text : e.kind)), ["one", "notice", "two", "end"]);
});

test("a followed log that never closes is cut drainMs after the build ends, keeping what arrived meanwhile", async (t) => {
  const source = scripted();
  let current = build("Building");
  const log = new BuildLog("ns", { source, current: () => current, drainMs: 50 });
  const live: LogEvent[] = [];
  log.subscribe((e) => live.push(e));
  source.push("one");
  current = build("Succeeded");
  log.changed();
  source.push("two");
  await log.done;
  t.deepEqual(live.map((e) => (e.kind === "line" ? e.text : e.kind)), ["one", "two", "end"]);
});

test("what a stream cut by the drain had not delivered is read in one request: a slow stream loses no line", async (t) => {
  const written = ["one", "two", "three"];
  // A client joining after the build ended; the stream delivers one line, then stalls (a loaded kubelet) until cut.
  const source: LogSource = {
    read: async () => written,
    async *follow(_namespace, _pod, _container, signal) {
      yield written[0]!;
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      throw new Error("aborted");
    },
  };
  const log = new BuildLog("ns", { source, current: () => build("Failed"), drainMs: 10 });
  const events: LogEvent[] = [];
  events.push(...log.subscribe((e) => events.push(e)).backlog);
  await log.done;
  t.deepEqual(events.map((e) => (e.kind === "line" ? `${e.id} ${e.text}` : e.kind)), ["1 one", "2 two", "3 three", "end"]);
});

test("a deleted build ends the stream with Deleted", async (t) => {
  const log = new BuildLog("ns", { source: scripted(), current: () => undefined });
  await log.done;
  t.is(log.outcome?.phase, "Deleted");
});
