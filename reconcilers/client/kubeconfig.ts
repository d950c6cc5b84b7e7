import { existsSync, readFileSync } from "node:fs";
import type * as https from "node:https";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import YAML from "yaml";

/**
 * What a Transport needs from a kubeconfig: the server, and the TLS material and credentials of each request.
 * client-node's KubeConfig has both methods; so has what `loadKubeConfig` returns.
 */
export interface KubeAccess {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

export interface LoadKubeConfigOptions {
  /** Where a pod's service account is mounted. @default /var/run/secrets/kubernetes.io/serviceaccount */
  readonly serviceAccountDir?: string;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** A token file is read again after this long, as client-go does: the kubelet rotates bound tokens. */
const TOKEN_FILE_TTL_MS = 60_000;
const NATIVE_USER_KEYS = new Set(["token", "token-file", "client-certificate", "client-certificate-data", "client-key", "client-key-data", "username", "password"]);
const NATIVE_CLUSTER_KEYS = new Set(["server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name"]);

/**
 * The kubeconfig client-node's `loadFromDefault` would pick (the first file of KUBECONFIG, else ~/.kube/config,
 * else the pod's service account), read without importing client-node when its current user is a token, a
 * token file or a client certificate: client-node's import costs a process about 1 s of CPU and 60 MiB, which
 * every node-agent pays on every node. Anything else (exec and auth-provider plugins, proxies, impersonation,
 * several KUBECONFIG files) is left to client-node's KubeConfig, imported only then. Reads KUBECONFIG, HOME,
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT from the environment, as client-node does.
 */
export async function loadKubeConfig(options: LoadKubeConfigOptions = {}): Promise<KubeAccess> {
  const env = process.env;
  const files = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  const home = env.HOME ?? homedir();
  const file = files.length > 0 ? files[0] : home && existsSync(join(home, ".kube", "config")) ? join(home, ".kube", "config") : undefined;
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (file === undefined && existsSync(join(serviceAccountDir, "token"))) return inCluster(env, serviceAccountDir);
  const native = file !== undefined && files.length <= 1 ? fromFile(file) : undefined;
  return native ?? (await withClientNode());
}

/** The kubeconfig client-node's loadFromDefault reads, for what the native reading leaves to it. */
async function withClientNode(): Promise<KubeAccess> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

function inCluster(env: NodeJS.ProcessEnv, dir: string): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error(`a service account is mounted at ${dir} but KUBERNETES_SERVICE_HOST or KUBERNETES_SERVICE_PORT is not set: set both, or KUBECONFIG`);
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new NativeAccess(server, { ca: readFileSync(join(dir, "ca.crt")) }, { tokenFile: join(dir, "token") });
}

type Entry = Record<string, unknown>;

/** The native reading of one kubeconfig file, or undefined when its current user or cluster needs client-node. */
function fromFile(file: string): KubeAccess | undefined {
  const where = `kubeconfig ${file}`;
  let doc: Entry;
  try {
    doc = (YAML.parse(readFileSync(file, "utf8")) ?? {}) as Entry;
  } catch (err) {
    throw new Error(`${where}: cannot be read as YAML (${(err as Error).message}): fix the file or point KUBECONFIG at another`, { cause: err });
  }
  const contextName = doc["current-context"];
  if (typeof contextName !== "string" || !contextName) throw new Error(`${where}: current-context is not set: run kubectl config use-context NAME`);
  const context = named(doc, "contexts", contextName, where, (names) => `current-context "${contextName}" is not in contexts: run kubectl config use-context with one of: ${names}`);
  const inContext = (kind: string, value: unknown) => (names: string) =>
    `context "${contextName}" names ${kind} "${String(value)}", which is not in ${kind}s: add it, or set the context's ${kind} to one of: ${names}`;
  const cluster = named(doc, "clusters", String(context.cluster ?? ""), where, inContext("cluster", context.cluster));
  const user = context.user === undefined ? {} : named(doc, "users", String(context.user), where, inContext("user", context.user));
  if (Object.keys(cluster).some((key) => !NATIVE_CLUSTER_KEYS.has(key)) || Object.keys(user).some((key) => !NATIVE_USER_KEYS.has(key))) return undefined;
  if (typeof cluster.server !== "string" || !cluster.server) throw new Error(`${where}: cluster "${String(context.cluster)}" has no server: set clusters[].cluster.server`);
  const base = dirname(file);
  const material = (path: unknown, data: unknown) =>
    typeof path === "string" && path ? readFileSync(isAbsolute(path) ? path : join(base, path)) : typeof data === "string" && data ? Buffer.from(data, "base64") : undefined;
  const tokenFile = typeof user["token-file"] === "string" ? user["token-file"] : undefined;
  return new NativeAccess(
    cluster.server.replace(/\/$/, ""),
    {
      ca: material(cluster["certificate-authority"], cluster["certificate-authority-data"]),
      cert: material(user["client-certificate"], user["client-certificate-data"]),
      key: material(user["client-key"], user["client-key-data"]),
      ...(cluster["insecure-skip-tls-verify"] === true && { rejectUnauthorized: false }),
      ...(typeof cluster["tls-server-name"] === "string" && { servername: cluster["tls-server-name"] }),
    },
    {
      token: typeof user.token === "string" ? user.token : undefined,
      tokenFile: tokenFile && !isAbsolute(tokenFile) ? join(base, tokenFile) : tokenFile,
      basic: typeof user.username === "string" ? `${user.username}:${String(user.password ?? "")}` : undefined,
    },
  );
}

/** The entry of `list` (clusters, contexts, users) called `name`, unwrapped; else an error that names the fix. */
function named(doc: Entry, list: string, name: string, where: string, missing: (names: string) => string): Entry {
  const entries = Array.isArray(doc[list]) ? (doc[list] as Entry[]) : [];
  const entry = entries.find((e) => e?.name === name);
  if (!entry) throw new Error(`${where}: ${missing(entries.map((e) => String(e?.name)).join(", ") || "(none)")}`);
  return (entry[list.slice(0, -1)] ?? {}) as Entry;
}

interface Credentials {
  readonly token?: string;
  readonly tokenFile?: string;
  /** user:password for basic auth. */
  readonly basic?: string;
}

class NativeAccess implements KubeAccess {
  private fileToken: { value: string; readAt: number } | undefined;

  constructor(
    private readonly server: string,
    private readonly tls: Pick<https.RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized" | "servername">,
    private readonly credentials: Credentials,
  ) {}

  getCurrentCluster(): { readonly server: string } {
    return { server: this.server };
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    for (const [key, value] of Object.entries(this.tls)) {
      if (value !== undefined) Object.assign(options, { [key]: value });
    }
    const token = this.credentials.tokenFile ? this.readTokenFile(this.credentials.tokenFile) : this.credentials.token;
    if (token) options.headers = { ...options.headers, authorization: `Bearer ${token}` };
    if (this.credentials.basic) options.auth = this.credentials.basic;
  }

  private readTokenFile(path: string): string {
    const now = Date.now();
    if (!this.fileToken || now - this.fileToken.readAt > TOKEN_FILE_TTL_MS) this.fileToken = { value: readFileSync(path, "utf8").trim(), readAt: now };
    return this.fileToken.value;
  }
}
