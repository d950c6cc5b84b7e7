import { randomBytes } from "node:crypto";
import { renameSync, rmSync } from "node:fs";

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
