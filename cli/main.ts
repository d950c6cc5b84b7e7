#!/usr/bin/env node
/**
 * The `orchest` command: synthesizes, installs and operates Orchest clusters.
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
import { buildCommand, BUILD_USAGE } from "./commands/build.js";
import { installCommand, INSTALL_USAGE } from "./commands/install.js";
import { lifecycleCommand, lifecycleUsage } from "./commands/lifecycle.js";
import { statusCommand, STATUS_USAGE } from "./commands/status.js";
import { synthCommand, SYNTH_USAGE } from "./commands/synth.js";
import { uninstallCommand, UNINSTALL_USAGE } from "./commands/uninstall.js";
import { updateCommand, UPDATE_USAGE } from "./commands/update.js";
import { versionCommand, VERSION_USAGE } from "./commands/version.js";
import { CliError, EXIT } from "./errors.js";

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly run: (args: readonly string[]) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  synth: { usage: SYNTH_USAGE, summary: "print or write the manifests of a cluster (for Argo CD and Flux)", run: synthCommand },
  install: { usage: INSTALL_USAGE, summary: "install the CRDs, the operator and a cluster, wait until Ready", run: installCommand },
  update: { usage: UPDATE_USAGE, summary: "move a cluster to a newer Orchest version (custom images kept)", run: updateCommand },
  status: { usage: STATUS_USAGE, summary: "show clusters, their components and conditions", run: statusCommand },
  pause: { usage: lifecycleUsage("pause"), summary: "scale a cluster down", run: (a) => lifecycleCommand("pause", a) },
  resume: { usage: lifecycleUsage("resume"), summary: "start a paused cluster again", run: (a) => lifecycleCommand("resume", a) },
  restart: { usage: lifecycleUsage("restart"), summary: "restart every component of a cluster", run: (a) => lifecycleCommand("restart", a) },
  uninstall: { usage: UNINSTALL_USAGE, summary: "delete a cluster (--all: also the operator and CRDs)", run: uninstallCommand },
  build: { usage: BUILD_USAGE, summary: "follow an image build's log from the api, exit 0 only if it succeeded", run: buildCommand },
  version: { usage: VERSION_USAGE, summary: "print the versions this CLI installs", run: versionCommand },
};

const HELP = [
  "orchest: Orchest on Kubernetes, declaratively.",
  "",
  "Commands:",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`),
  "",
  "Kubernetes access: KUBECONFIG or ~/.kube/config (current context). Exit codes: 0 ok, 1 failure, 2 usage error.",
  "",
].join("\n");

async function main(argv: readonly string[]): Promise<number> {
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
    process.stderr.write(`orchest: unknown command "${name}"; one of: ${Object.keys(COMMANDS).join(", ")} (orchest help)\n`);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return EXIT.ok;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`orchest: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`orchest: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
