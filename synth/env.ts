/**
 * The environment of Orchest's components, as Orchest's controller builds it
 * (NewDefaultControllerConfig, setDefaultIfNotSpecified, getOrchestComponent and the component reconcilers):
 *
 * 1. the cluster layer: Orchest's defaults (PYTHONUNBUFFERED, ORCHEST_LOG_LEVEL, ORCHEST_HOST_GID, the runtime,
 *    K8S_DISTRO, ORCHEST_CLUSTER, ORCHEST_NAMESPACE), then `spec.orchest.env`, then ORCHEST_FQDN;
 * 2. the component layer, which wins over the cluster layer: the component's defaults, then its template's
 *    env, then SINGLE_NODE (orchest-api, celery-worker);
 * 3. what the component reconciler adds last: WORKER_PLANE_SELECTOR, INGRESS_CLASS, celery's state dir, the
 *    runtime of a DaemonSet's nodes.
 *
 * The result is sorted by name, as Orchest renders it.
 */
import type { EnvVar } from "../crds/types/index.js";
import type { OrchestComponentName } from "./labels.js";

/** Defaults every component gets (OrchestDefaultEnvVars, without the detected runtime and distro). */
export const CLUSTER_DEFAULT_ENV: readonly (readonly [string, string])[] = [
  ["PYTHONUNBUFFERED", "TRUE"],
  ["ORCHEST_LOG_LEVEL", "INFO"],
  ["ORCHEST_HOST_GID", "1"],
];

/** The host name Orchest gave the broker's pod, which RabbitMQ's state is named after. */
export const RABBITMQ_HOSTNAME = "orchest-rabbit";

/**
 * Orchest's per-component defaults (OrchestApiDefaultEnvVars and the others), and the broker's node name,
 * which Orchest got from the pod's host name.
 */
export const COMPONENT_DEFAULT_ENV: Readonly<Partial<Record<OrchestComponentName, readonly (readonly [string, string])[]>>> = {
  "orchest-database": [
    ["PGDATA", "/userdir/.orchest/database/data"],
    ["POSTGRES_HOST_AUTH_METHOD", "trust"],
  ],
  "rabbitmq-server": [["RABBITMQ_NODENAME", `rabbit@${RABBITMQ_HOSTNAME}`]],
  "orchest-api": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
  ],
  "orchest-webserver": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
    ["ORCHEST_PORT", "8000"],
    ["USERDIR_PVC", "userdir-pvc"],
    ["HOST_CONFIG_DIR", "/var/lib/orchest/config"],
    ["HOST_REPO_DIR", "/var/lib/orchest/repo"],
    ["HOST_OS", "linux"],
  ],
  "auth-server": [["FLASK_ENV", "production"]],
  "celery-worker": [
    ["ORCHEST_GPU_ENABLED_INSTANCE", "FALSE"],
    ["FLASK_ENV", "production"],
    ["CELERY_STATE_DIR", "/userdir/.orchest"],
  ],
};

/** Plain name/value variables. */
export function vars(pairs: readonly (readonly [string, string])[]): EnvVar[] {
  return pairs.map(([name, value]) => ({ name, value }));
}

/** Merges layers by name, a later layer winning, sorted by name. */
export function mergeEnv(...layers: readonly (readonly EnvVar[])[]): EnvVar[] {
  const merged = new Map<string, EnvVar>();
  for (const layer of layers) for (const e of layer) merged.set(e.name, e);
  return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `TRUE` or `FALSE`, as Orchest writes booleans into env (strings.ToUpper of Go's %t). */
export function envBool(value: boolean): string {
  return value ? "TRUE" : "FALSE";
}

/** A node selector as WORKER_PLANE_SELECTOR carries it: Go's json.Marshal of the map (keys sorted, no spaces). */
export function selectorJson(selector: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(selector).sort().map((k) => [k, selector[k]!])));
}
