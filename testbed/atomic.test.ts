import test from "ava";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { withLock } from "./atomic.js";

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "atomic-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("one holder of a lock at a time: the others wait, in turn, and the lock is gone after", async (t) => {
  const lock = join(tempDir(t), "tool.lock");
  let inside = 0;
  let most = 0;
  const waits: number[] = [];
  const order: number[] = [];
  await Promise.all(
    [0, 1, 2].map((n) =>
      withLock(lock, (holder) => waits.push(holder), async () => {
        most = Math.max(most, ++inside);
        order.push(n);
        await sleep(50);
        inside--;
      }),
    ),
  );
  t.is(most, 1, "never two inside at once");
  t.deepEqual([...order].sort(), [0, 1, 2], "every one ran");
  t.true(waits.length >= 2 && waits.every((pid) => pid === process.pid), "the waiters were told who holds it");
  t.false(existsSync(lock));
});

test("a lock left by a process that is gone is taken over", async (t) => {
  const lock = join(tempDir(t), "tool.lock");
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  writeFileSync(lock, gone.stdout);
  let ran = false;
  await withLock(lock, () => t.fail("nobody holds it"), async () => {
    ran = true;
  });
  t.true(ran);
  t.false(existsSync(lock));
});

test("a failing holder releases the lock", async (t) => {
  const lock = join(tempDir(t), "tool.lock");
  await t.throwsAsync(withLock(lock, () => undefined, () => Promise.reject(new Error("build failed"))), { message: "build failed" });
  t.false(existsSync(lock));
});
