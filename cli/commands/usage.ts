/**
 * What each command accepts: its usage line and parseArgs options. Kept apart
 * from the commands so that help, usage errors and shell completion (run on
 * every TAB) answer without loading the Kubernetes client or cdk8s.
 */
import { NAMESPACE_OPTION, TIMEOUT_OPTION, type Options } from "../options.js";

export const SYNTH_USAGE = "orchest synth -f cluster.yaml [-o DIR] [--runtime containerd|docker]";
export const SYNTH_OPTIONS = { file: { type: "string", short: "f" }, output: { type: "string", short: "o" }, runtime: { type: "string" } } as const satisfies Options;

export const INSTALL_USAGE =
  "orchest install [-f cluster.yaml] [-n NAMESPACE] [--operator-namespace NS] [--image REGISTRY/REPOSITORY:TAG] [--node-selector KEY=VALUE]... [--helm] [--no-wait] [--timeout 10m]";
export const INSTALL_OPTIONS = {
  ...NAMESPACE_OPTION,
  ...TIMEOUT_OPTION,
  file: { type: "string", short: "f" },
  "operator-namespace": { type: "string" },
  // The operator's image; the api, node-agent, buildkitd and registry it deploys come from the same place.
  image: { type: "string" },
  // Labels of the nodes the operator's pod may run on.
  "node-selector": { type: "string", multiple: true },
  helm: { type: "boolean" },
  "no-wait": { type: "boolean" },
} as const satisfies Options;

export const UPDATE_USAGE = "orchest update [NAME] [-n NAMESPACE] [--version vYYYY.MM.N] [--wait] [--timeout 10m]";
export const UPDATE_OPTIONS = { ...NAMESPACE_OPTION, ...TIMEOUT_OPTION, version: { type: "string" }, wait: { type: "boolean" } } as const satisfies Options;

export const STATUS_USAGE = "orchest status [NAME] [-n NAMESPACE | -A] [-o table|json|yaml] [--wait] [--timeout 10m]";
export const STATUS_OPTIONS = { ...NAMESPACE_OPTION, ...TIMEOUT_OPTION, "all-namespaces": { type: "boolean", short: "A" }, output: { type: "string", short: "o" }, wait: { type: "boolean" } } as const satisfies Options;

export const UNINSTALL_USAGE = "orchest uninstall [NAME] [-n NAMESPACE] [--all [--operator-namespace NS] [--helm]] [--timeout 5m]";
export const UNINSTALL_OPTIONS = { ...NAMESPACE_OPTION, ...TIMEOUT_OPTION, all: { type: "boolean" }, "operator-namespace": { type: "string" }, helm: { type: "boolean" } } as const satisfies Options;

export const BUILD_USAGE = "orchest build logs NAME [-f] [--api URL]";
export const BUILD_OPTIONS = { follow: { type: "boolean", short: "f" }, api: { type: "string" } } as const satisfies Options;

export const VERSION_USAGE = "orchest version [-o text|json]";
export const VERSION_OPTIONS = { output: { type: "string", short: "o" } } as const satisfies Options;

export type LifecycleCommand = "pause" | "resume" | "restart";
export const lifecycleUsage = (command: LifecycleCommand): string => `orchest ${command} [NAME] [-n NAMESPACE]`;
