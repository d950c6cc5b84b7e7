/**
 * Test helpers: the `orchest` CLI and kubectl as real processes, and a stand-in
 * for the operator that writes an OrchestCluster's status.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FIELD_MANAGER } from "./kube.js";
import { CRD_DIR } from "./paths.js";

/** What a finished process printed, and its exit code. */
export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

/** A started process: its result once it exits, and what it printed so far. */
export interface RunningProcess {
  readonly done: Promise<ProcessResult>;
  readonly stderrSoFar: () => string;
  readonly stdoutSoFar: () => string;
}

/** Starts a command without blocking the test's event loop. */
export function startProcess(command: string, args: readonly string[], input?: string): RunningProcess {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  child.stdin.end(input);
  const done = new Promise<ProcessResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return { done, stderrSoFar: () => stderr, stdoutSoFar: () => stdout };
}

/** Runs a command to completion. */
export const runProcess = (command: string, args: readonly string[], input?: string): Promise<ProcessResult> => startProcess(command, args, input).done;

/** `orchest ARGS...` as a separate process. */
export const orchest = (...args: string[]): Promise<ProcessResult> => runProcess(process.execPath, [MAIN, ...args]);

/** `orchest ARGS...` started, for tests that act while it runs. */
export const startOrchest = (...args: string[]): RunningProcess => startProcess(process.execPath, [MAIN, ...args]);

export { eventually } from "../testbed/eventually.js";

/** kubectl, failing the test on a non-zero exit. */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const result = await runProcess("kubectl", args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Writes status fields of an OrchestCluster as the operator would (status subresource). */
export async function writeStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
  await kubectl(["patch", "orchestcluster", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
}

/** A condition as the operator writes it. */
export function condition(type: string, status: "True" | "False", reason: string, message = ""): Record<string, unknown> {
  return { type, status, reason, message, lastTransitionTime: new Date().toISOString() };
}

/** Installs the CRDs as `orchest install` does (same field manager, so test files and the CLI never conflict). */
export async function installCrds(): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", `--field-manager=${FIELD_MANAGER}`, "-f", CRD_DIR]);
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/orchestclusters.orchest.io"]);
}
