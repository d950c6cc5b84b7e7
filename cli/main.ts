#!/usr/bin/env node
/**
 * The `orchest` command: synthesizes, installs and operates Orchest clusters.
 * Installed as `kubectl-orchest` too, it is the kubectl plugin `kubectl orchest`,
 * and as `kubectl_complete-orchest` it completes that plugin's words for kubectl.
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
import { basename } from "node:path";
import {
  BUILD_OPTIONS,
  BUILD_USAGE,
  INSTALL_OPTIONS,
  INSTALL_USAGE,
  lifecycleUsage,
  type LifecycleCommand,
  STATUS_OPTIONS,
  STATUS_USAGE,
  SYNTH_OPTIONS,
  SYNTH_USAGE,
  UNINSTALL_OPTIONS,
  UNINSTALL_USAGE,
  UPDATE_OPTIONS,
  UPDATE_USAGE,
  VERSION_OPTIONS,
  VERSION_USAGE,
} from "./commands/usage.js";
import { bashScript, complete, zshScript, type CompletableCommand } from "./completion.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { NAMESPACE_OPTION, parse } from "./options.js";

/** A command; its implementation is imported when it runs, so help and completion stay light. */
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

const lifecycle = (command: LifecycleCommand, summary: string): Command => ({
  usage: lifecycleUsage(command),
  summary,
  options: NAMESPACE_OPTION,
  run: (a) => import("./commands/lifecycle.js").then((m) => m.lifecycleCommand(command, a)),
});

const COMMANDS: Readonly<Record<string, Command>> = {
  synth: { usage: SYNTH_USAGE, options: SYNTH_OPTIONS, summary: "print or write the manifests of a cluster (for Argo CD and Flux)", run: (a) => import("./commands/synth.js").then((m) => m.synthCommand(a)) },
  install: { usage: INSTALL_USAGE, options: INSTALL_OPTIONS, summary: "install the CRDs, the operator and a cluster, wait until Ready", run: (a) => import("./commands/install.js").then((m) => m.installCommand(a)) },
  update: { usage: UPDATE_USAGE, options: UPDATE_OPTIONS, summary: "move a cluster to a newer Orchest version (custom images kept)", run: (a) => import("./commands/update.js").then((m) => m.updateCommand(a)) },
  status: { usage: STATUS_USAGE, options: STATUS_OPTIONS, summary: "show clusters, their components and conditions", run: (a) => import("./commands/status.js").then((m) => m.statusCommand(a)) },
  pause: lifecycle("pause", "scale a cluster down"),
  resume: lifecycle("resume", "start a paused cluster again"),
  restart: lifecycle("restart", "restart every component of a cluster"),
  uninstall: { usage: UNINSTALL_USAGE, options: UNINSTALL_OPTIONS, summary: "delete a cluster (--all: also the operator and CRDs)", run: (a) => import("./commands/uninstall.js").then((m) => m.uninstallCommand(a)) },
  build: { usage: BUILD_USAGE, options: BUILD_OPTIONS, summary: "follow an image build's log from the api, exit 0 only if it succeeded", run: (a) => import("./commands/build.js").then((m) => m.buildCommand(a)) },
  version: { usage: VERSION_USAGE, options: VERSION_OPTIONS, summary: "print the versions this CLI installs", run: (a) => import("./commands/version.js").then((m) => m.versionCommand(a)) },
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
