/** Progress lines for long steps, on stderr so that command output (kubeconfig paths, YAML) stays clean. */
export type Log = (message: string) => void;

/** Progress lines on stderr, each prefixed with who speaks. */
export function prefixedLog(prefix: string): Log {
  return (message) => process.stderr.write(`[${prefix}] ${message}\n`);
}

export const stderrLog: Log = prefixedLog("testbed");

export const quietLog: Log = () => {};

/** Runs `step`, logging its start, a heartbeat every `everyMs` while it runs, and its duration. */
export async function timed<T>(log: Log, what: string, step: () => Promise<T>, heartbeat?: () => string, everyMs = 15_000): Promise<T> {
  const started = Date.now();
  log(`${what} ...`);
  const timer = setInterval(() => log(`  ${what}: ${seconds(Date.now() - started)} elapsed${heartbeat ? `, ${heartbeat()}` : ""}`), everyMs);
  try {
    const result = await step();
    log(`${what}: done in ${seconds(Date.now() - started)}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

export function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
