import { parseArgs } from "node:util";
import { DEFAULT_BUILDER_IMAGES, type BuilderImages } from "./builds/index.js";
import { DEFAULT_GIT_IMAGE } from "./git/index.js";
import { DEFAULT_JUPYTER_IMAGE } from "./sessions/index.js";
import { AddressPolicy, DEFAULT_MAX_ATTEMPTS, SVIX_SCHEDULE_MS } from "./events/index.js";

export const USAGE = `usage: orchest-api [flags]
  --namespace NS                 namespace of the Subscribers and EventDeliveries (default: $POD_NAMESPACE or orchest)
  --listen HOST:PORT             HTTP server: /healthz /readyz /metrics POST /analytics (default 0.0.0.0:8080)
  --telemetry true|false         the OrchestCluster's telemetry setting (default: not $TELEMETRY_DISABLED, Orchest's
                                 setting in spec.orchest.orchestApi.env; unset: false, no analytics delivery is created)
  --analytics-backend URL        PostHog-compatible capture host; empty: analytics off (default: $ORCHEST_ANALYTICS_BACKEND or "")
  --analytics-api-key KEY        its project API key (default: $ORCHEST_ANALYTICS_API_KEY)
  --orchest-version V            reported with telemetry (default: $ORCHEST_VERSION or unknown)
  --install-id ID                this install's id in telemetry (default: $ORCHEST_INSTALL_ID, else the analytics
                                 Subscriber's, else a new UUID kept in it)
  --webhook-allow CIDR           non-public range webhooks may reach, e.g. 10.1.0.0/16 (repeatable;
                                 default: $ORCHEST_WEBHOOK_ALLOW, comma separated, which an OrchestCluster sets in
                                 spec.orchest.orchestApi.env)
  --webhook-allow-loopback       let webhooks reach 127.0.0.0/8 and ::1 (tests)
  --webhook-timeout DURATION     deadline of one attempt (default 15s)
  --webhook-connections N        attempts in flight per endpoint (default 8)
  --retry-schedule D,D,...       delays between attempts, the last repeats (default Svix's: 5s,5m,30m,2h,5h,10h,10h)
  --max-attempts N               attempts before a delivery is dead-lettered, unless its subscriber says (default ${DEFAULT_MAX_ATTEMPTS})
  --retention DURATION           how long Delivered records are kept (default 24h)
  --leader-elect true|false      only the lease holder delivers (default true)
  --registry HOST                the in-cluster registry: builds are named after it (default: spec.image as written)
  --builder-image-buildctl REF   builder image of containerd nodes (default: this project's release's)
  --builder-image-docker REF     builder image of docker nodes (default: this project's release's)
  --git-image REF                image of git imports that name none (default: this project's release's git image)
  --jupyter-image REF            Jupyter server image of sessions that name none (default: this project's release's)
Environment, as Orchest's controller sets it for the api: INGRESS_CLASS (the ingress-nginx class of sessions'
Ingresses, default nginx), ORCHEST_FQDN (their host; any host when unset).
Durations: 250ms, 5s, 5m, 2h. Kubernetes access: in-cluster service account, or KUBECONFIG.`;

export interface ApiOptions {
  namespace: string;
  listen: { host: string; port: number };
  /** Telemetry on and a backend configured: analytics deliveries are recorded and sent. */
  analytics?: { host: string; apiKey: string; orchestVersion: string };
  /** This install's id in telemetry; empty: the one the analytics Subscriber has, or a new one. */
  installId: string;
  addressPolicy: AddressPolicy;
  attemptTimeoutMs: number;
  connectionsPerEndpoint: number;
  retryScheduleMs: number[];
  maxAttempts: number;
  retentionMs: number;
  leaderElect: boolean;
  registryHost?: string;
  builderImages: BuilderImages;
  /** The image of git imports that name none. */
  gitImage: string;
  /** The Jupyter server's image of sessions that name none. */
  jupyterImage: string;
  /** The Ingress of each session's server. */
  sessionIngress: { className: string; host?: string };
}

const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/** Parses the flags; throws an Error whose message names the flag and the fix. */
export function parseApiOptions(args: string[], env: NodeJS.ProcessEnv = process.env): ApiOptions {
  const { values } = parseArgs({
    args,
    options: {
      namespace: { type: "string", default: env.POD_NAMESPACE ?? "orchest" },
      listen: { type: "string", default: "0.0.0.0:8080" },
      telemetry: { type: "string" },
      "analytics-backend": { type: "string", default: env.ORCHEST_ANALYTICS_BACKEND ?? "" },
      "analytics-api-key": { type: "string", default: env.ORCHEST_ANALYTICS_API_KEY ?? "" },
      "orchest-version": { type: "string", default: env.ORCHEST_VERSION ?? "unknown" },
      "install-id": { type: "string", default: env.ORCHEST_INSTALL_ID ?? "" },
      "webhook-allow": { type: "string", multiple: true, default: (env.ORCHEST_WEBHOOK_ALLOW ?? "").split(",").map((cidr) => cidr.trim()).filter(Boolean) },
      "webhook-allow-loopback": { type: "boolean", default: false },
      "webhook-timeout": { type: "string", default: "15s" },
      "webhook-connections": { type: "string", default: "8" },
      "retry-schedule": { type: "string", default: SVIX_SCHEDULE_MS.map((ms) => `${ms}ms`).join(",") },
      "max-attempts": { type: "string", default: String(DEFAULT_MAX_ATTEMPTS) },
      retention: { type: "string", default: "24h" },
      "leader-elect": { type: "string", default: "true" },
      registry: { type: "string", default: "" },
      "builder-image-buildctl": { type: "string", default: DEFAULT_BUILDER_IMAGES.buildkit },
      "builder-image-docker": { type: "string", default: DEFAULT_BUILDER_IMAGES.docker },
      "git-image": { type: "string", default: DEFAULT_GIT_IMAGE },
      "jupyter-image": { type: "string", default: DEFAULT_JUPYTER_IMAGE },
    },
  });
  const backend = values["analytics-backend"]!;
  if (backend !== "" && !URL.canParse(backend)) throw new Error(`--analytics-backend: "${backend}" is not a URL. Fix: e.g. https://eu.i.posthog.com, or leave it empty for no analytics.`);
  const telemetry = values.telemetry !== undefined ? boolean("telemetry", values.telemetry) : !telemetryDisabled(env.TELEMETRY_DISABLED);
  const allow = [...values["webhook-allow"]!, ...(values["webhook-allow-loopback"] ? LOOPBACK : [])];
  let addressPolicy: AddressPolicy;
  try {
    addressPolicy = new AddressPolicy(allow);
  } catch (err) {
    throw new Error(`--webhook-allow: ${(err as Error).message}`);
  }
  return {
    namespace: values.namespace!,
    listen: hostPort(values.listen!),
    ...(telemetry && backend !== "" ? { analytics: { host: backend, apiKey: values["analytics-api-key"]!, orchestVersion: values["orchest-version"]! } } : {}),
    installId: values["install-id"]!,
    addressPolicy,
    attemptTimeoutMs: duration("webhook-timeout", values["webhook-timeout"]!),
    connectionsPerEndpoint: count("webhook-connections", values["webhook-connections"]!),
    retryScheduleMs: values["retry-schedule"]!.split(",").map((d) => duration("retry-schedule", d.trim())),
    maxAttempts: count("max-attempts", values["max-attempts"]!),
    retentionMs: duration("retention", values.retention!),
    leaderElect: boolean("leader-elect", values["leader-elect"]!),
    ...(values.registry ? { registryHost: values.registry } : {}),
    builderImages: { buildkit: values["builder-image-buildctl"]!, docker: values["builder-image-docker"]! },
    gitImage: values["git-image"]!,
    jupyterImage: values["jupyter-image"]!,
    sessionIngress: { className: env.INGRESS_CLASS || "nginx", ...(env.ORCHEST_FQDN ? { host: env.ORCHEST_FQDN } : {}) },
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function duration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`--${flag}: "${text}" is not a duration. Fix: a number with a unit, e.g. 250ms, 5s, 5m or 2h.`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag}: "${text}" is not a positive whole number. Fix: e.g. 8.`);
  return n;
}

function boolean(flag: string, text: string): boolean {
  if (text !== "true" && text !== "false") throw new Error(`--${flag}: "${text}" must be true or false.`);
  return text === "true";
}

/** Orchest's TELEMETRY_DISABLED, True or False in any case; unset: disabled (no analytics unless asked for). */
function telemetryDisabled(value: string | undefined): boolean {
  if (value === undefined) return true;
  const text = value.trim().toLowerCase();
  if (text !== "true" && text !== "false") throw new Error(`TELEMETRY_DISABLED (spec.orchest.orchestApi.env): "${value}" must be true or false. Fix: set it to True or False, or remove it.`);
  return text === "true";
}

function hostPort(text: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new Error(`--listen: "${text}" is not HOST:PORT. Fix: e.g. 0.0.0.0:8080, or 127.0.0.1:0 for a free port.`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}
