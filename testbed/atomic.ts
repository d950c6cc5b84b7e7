import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A path beside `target` that no other process uses: several test beds (a test run's private clusters, other
 * checkouts) fill the same caches at the same time, and each writes its own partial copy.
 */
export function partialPath(target: string): string {
  return `${target}.partial-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/**
 * Moves a finished partial copy into place. If another process put its copy there first, theirs stays (the
 * content is the same, keyed by its inputs) and ours is dropped.
 */
export function publish(partial: string, target: string): void {
  try {
    renameSync(partial, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` while holding the lock file `lock` (created exclusively, holding our PID), so that only one process
 * on this machine does an expensive step (building a tool) at a time; the others wait and then find its result.
 * A lock whose holder is gone (killed mid-build) is taken over.
 */
export async function withLock<T>(lock: string, onWait: (holder: number) => void, fn: () => Promise<T>): Promise<T> {
  for (let waited = false; ; ) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(readText(lock));
    if (!holder || !alive(holder)) {
      // Gone, or still writing its PID: a lock file older than a moment with no PID is stale too.
      if (holder || waited) rmSync(lock, { force: true });
    } else if (!waited) {
      onWait(holder);
    }
    waited = true;
    await sleep(1000);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
