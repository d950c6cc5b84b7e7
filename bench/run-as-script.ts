import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Runs `main` with the command line's arguments when `moduleUrl` is the script node was started with (a
 * benchmark run by itself, not through bench/main.ts); a failure prints its stack and exits 1. `exitWhenDone`:
 * exit 0 once `main` resolves, whatever handles are still open (clients, timers of a stopped cluster).
 */
export function runAsScript(moduleUrl: string, main: (args: readonly string[]) => Promise<unknown>, options: { readonly exitWhenDone?: boolean } = {}): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    () => {
      if (options.exitWhenDone) process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
