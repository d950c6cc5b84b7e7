#!/usr/bin/env node
/**
 * The `orchest` command: synthesizes, installs and operates Orchest clusters.
 * Installed as `kubectl-orchest` too, it is the kubectl plugin `kubectl orchest`,
 * and as `kubectl_complete-orchest` it completes that plugin's words for kubectl.
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
import { basename } from "node:path";
import { BUILD_OPTIONS, buildCommand, BUILD_USAGE } from "./commands/build.js";
import { INSTALL_OPTIONS, installCommand, INSTALL_USAGE } from "./commands/install.js";
import { lifecycleCommand, lifecycleUsage } from "./commands/lifecycle.js";
import { STATUS_OPTIONS, statusCommand, STATUS_USAGE } from "./commands/status.js";
import { SYNTH_OPTIONS, synthCommand, SYNTH_USAGE } from "./commands/synth.js";
import { UNINSTALL_OPTIONS, uninstallCommand, UNINSTALL_USAGE } from "./commands/uninstall.js";
import { UPDATE_OPTIONS, updateCommand, UPDATE_USAGE } from "./commands/update.js";
import { VERSION_OPTIONS, versionCommand, VERSION_USAGE } from "./commands/version.js";
import { bashScript, complete, zshScript, type CompletableCommand } from "./completion.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { NAMESPACE_OPTION, parse } from "./options.js";

interface Command extends CompletableCommand {
  readonly run: (args: readonly string[]) => Promise<number>;
}

const invokedAs = basename(process.argv[1] ?? "orchest");
/** What the user typed to run this: the kubectl plugin is `kubectl orchest`. */
const PROGRAM = invokedAs.startsWith("kubectl") ? "kubectl orchest" : "orchest";
const shown = (usage: string) => usage.replace(/^orchest\b/, PROGRAM);

const SHELLS = { bash: bashScript, zsh: zshScript } as const;
const COMPLETION_USAGE = `orchest completion ${Object.keys(SHELLS).join("|")}`;

async function completionCommand(args: readonly string[]): Promise<number> {
  const { positionals } = parse(args, {}, shown(COMPLETION_USAGE), 1);
  const script = SHELLS[positionals[0] as keyof typeof SHELLS];
  if (!script) throw new UsageError(`name a shell: ${Object.keys(SHELLS).join(" or ")}, e.g. source <(orchest completion bash)\nusage: ${shown(COMPLETION_USAGE)}`);
  process.stdout.write(script("orchest"));
  return EXIT.ok;
}

const lifecycle = (command: "pause" | "resume" | "restart", summary: string): Command => ({
  usage: lifecycleUsage(command),
  summary,
  options: NAMESPACE_OPTION,
  run: (a) => lifecycleCommand(command, a),
});

const COMMANDS: Readonly<Record<string, Command>> = {
  synth: { usage: SYNTH_USAGE, options: SYNTH_OPTIONS, summary: "print or write the manifests of a cluster (for Argo CD and Flux)", run: synthCommand },
  install: { usage: INSTALL_USAGE, options: INSTALL_OPTIONS, summary: "install the CRDs, the operator and a cluster, wait until Ready", run: installCommand },
  update: { usage: UPDATE_USAGE, options: UPDATE_OPTIONS, summary: "move a cluster to a newer Orchest version (custom images kept)", run: updateCommand },
  status: { usage: STATUS_USAGE, options: STATUS_OPTIONS, summary: "show clusters, their components and conditions", run: statusCommand },
  pause: lifecycle("pause", "scale a cluster down"),
  resume: lifecycle("resume", "start a paused cluster again"),
  restart: lifecycle("restart", "restart every component of a cluster"),
  uninstall: { usage: UNINSTALL_USAGE, options: UNINSTALL_OPTIONS, summary: "delete a cluster (--all: also the operator and CRDs)", run: uninstallCommand },
  build: { usage: BUILD_USAGE, options: BUILD_OPTIONS, summary: "follow an image build's log from the api, exit 0 only if it succeeded", run: buildCommand },
  version: { usage: VERSION_USAGE, options: VERSION_OPTIONS, summary: "print the versions this CLI installs", run: versionCommand },
  completion: { usage: COMPLETION_USAGE, options: {}, positionals: Object.keys(SHELLS), summary: "print a shell completion script (source <(orchest completion bash))", run: completionCommand },
};

const HELP = [
  `${PROGRAM}: Orchest on Kubernetes, declaratively.`,
  "",
  "Commands:",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n             ${shown(c.usage)}`),
  "",
  "Kubernetes access: KUBECONFIG or ~/.kube/config (current context). Exit codes: 0 ok, 1 failure, 2 usage error.",
  "",
].join("\n");

async function main(argv: readonly string[]): Promise<number> {
  // kubectl asks `kubectl_complete-orchest WORD... PARTIAL`; the shell scripts ask `orchest __complete ...`.
  if (invokedAs === "kubectl_complete-orchest" || argv[0] === "__complete") {
    process.stdout.write(complete(COMMANDS, invokedAs === "kubectl_complete-orchest" ? argv : argv.slice(1)));
    return EXIT.ok;
  }
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    if (name === undefined) {
      process.stderr.write(HELP);
      return EXIT.usage;
    }
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`${PROGRAM}: unknown command "${name}"; one of: ${Object.keys(COMMANDS).join(", ")} (${PROGRAM} help)\n`);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`usage: ${shown(command.usage)}\n${command.summary}\n`);
    return EXIT.ok;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`${PROGRAM}: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`${PROGRAM}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
