// Test and benchmark support: the api process (lib/api/main.js) started on loopback, and its address.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const apiMain = fileURLToPath(new URL("./main.js", import.meta.url));

export interface ApiProcess {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT of its HTTP server. */
  readonly url: string;
  /** SIGKILL, as a crash or an OOM kill would: no graceful anything. */
  kill(): Promise<void>;
  /** SIGTERM, as a rollout would: resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts the api with `args` (plus loopback listening, no leader election) and waits until it listens. */
export async function startApi(kubeconfig: string, args: readonly string[]): Promise<ApiProcess> {
  const child = spawn(process.execPath, [apiMain, "--listen=127.0.0.1:0", "--leader-elect=false", ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the api did not listen within 30 s")), 30_000);
    const lines = createInterface({ input: child.stderr! });
    const errors: string[] = [];
    lines.on("line", (line) => {
      const entry = parseLine(line);
      if (entry?.msg === "listening") {
        clearTimeout(timer);
        resolve(`http://${String(entry.address)}`);
      } else if (entry?.level === "error" || !entry) {
        errors.push(line);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the api exited with ${code}: ${errors.slice(-5).join("\n")}`));
    });
  });
  return { child, url, kill: () => signal("SIGKILL"), stop: () => signal("SIGTERM") };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
