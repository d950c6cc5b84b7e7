import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";

/** A child process of the test bed: output goes to a log file, it is stopped by its own PID only. */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    readonly logPath: string,
    env: NodeJS.ProcessEnv = process.env,
    /** Runs the command through this (e.g. into a real node's namespaces and cgroup); it must exec the command. */
    readonly wrapper: readonly string[] = [],
  ) {
    const log = createWriteStream(logPath, { flags: "a" });
    // setpriv --pdeathsig: the kernel kills the child if this process dies, even by SIGKILL, so nothing is left behind.
    this.child = spawn("setpriv", ["--pdeathsig", "KILL", "--", ...wrapper, command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        resolve(this.exitCode);
      });
      this.child.once("error", (err) => {
        log.write(`\nfailed to start ${command}: ${err.message}\n`);
        this.exitCode = 127;
        resolve(127);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Polls `ready` until it returns true; fails early, with the log tail, if the process exits. */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw this.failure(`exited with code ${this.exitCode} before ${what}`);
      if (await ready().catch(() => false)) return;
      await sleep(100);
    }
    throw this.failure(`did not become ${what} within ${timeoutMs / 1000}s`);
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running || this.child.pid === undefined) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills at once, as a crash would. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  failure(problem: string): Error {
    return new Error(
      `${this.name} ${problem}.\ncommand: ${this.command} ${this.args.join(" ")}${this.wrapper.length ? `\nrun through: ${this.wrapper.join(" ")}` : ""}\nlog: ${this.logPath}\n--- last lines ---\n${this.logTail()}`,
    );
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
