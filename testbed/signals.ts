import type { Log } from "./progress.js";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Calls `stop` on the first of SIGINT, SIGTERM or SIGHUP, and ignores the ones after it: Ctrl-C in a terminal
 * signals the whole process group and npm forwards the signal once more, and a second signal with no listener
 * would kill the process in the middle of its cleanup.
 */
export function onStopSignal(log: Log, stop: () => void): void {
  let stopping = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stopping) return log(`${signal} again: still stopping, so that nothing is left behind`);
      stopping = true;
      log(`${signal}: stopping ...`);
      stop();
    });
  }
}
