import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManagedProcess } from "../../testbed/process.js";

const mainScript = fileURLToPath(new URL("../main.js", import.meta.url));

export interface AgentProcessOptions {
  readonly kubeconfig: string;
  readonly node: string;
  readonly namespace: string;
  readonly socket: string;
  readonly registryHost: string;
  /** containerd's hosts dir: given, the agent serves and uses peers. */
  readonly hostsDir?: string;
  readonly extraArgs?: readonly string[];
  /** Flags of node itself, before the agent's script (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
  /** Folder of the agent's log file. @default a new temporary folder */
  readonly logDir?: string;
}

/** A node-agent as a real process (so that a test can SIGKILL it), logging to a file, stopped with its parent. */
export function startAgentProcess(options: AgentProcessOptions): ManagedProcess {
  const log = join(options.logDir ?? mkdtempSync(join(tmpdir(), `agent-${options.node}-`)), `node-agent-${options.node}.log`);
  const args = [
    ...(options.nodeFlags ?? []),
    mainScript,
    `--node=${options.node}`,
    `--namespace=${options.namespace}`,
    `--runtime-socket=${options.socket}`,
    `--registry=${options.registryHost}`,
    "--registry-plain-http",
    "--verify-interval=2",
    "--wave-timeout=15",
    ...(options.hostsDir ? ["--peer-listen=127.0.0.1:0", `--hosts-dir=${options.hostsDir}`] : []),
    ...(options.extraArgs ?? []),
  ];
  return new ManagedProcess(`node-agent ${options.node}`, process.execPath, args, log, { ...process.env, KUBECONFIG: options.kubeconfig });
}
