/**
 * The CLI's access to Kubernetes: the default kubeconfig (KUBECONFIG or
 * ~/.kube/config), server-side apply for everything it installs, and a few
 * typed calls on OrchestClusters. Kubernetes errors become CliErrors that
 * quote the API server's message.
 */
import {
  ApiextensionsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { OrchestCluster } from "../crds/types/index.js";
import { orchestClusterResource } from "../crds/types/index.js";
import { CliError } from "./errors.js";

/** Field manager of everything the CLI applies (`kubectl get -o yaml --show-managed-fields` shows it). */
export const FIELD_MANAGER = "orchest-cli";

/** Any Kubernetes object (typed ones such as OrchestCluster or synth's Manifest included). */
export interface AnyObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Namespace and name of one object. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

/** The status code and message of a client-node ApiException, if `error` is one. */
function apiFailure(error: unknown): { code: number; message: string } | undefined {
  const e = error as { code?: unknown; body?: unknown };
  if (typeof e?.code !== "number") return undefined;
  let message = String(e.body ?? "");
  try {
    message = (JSON.parse(message) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the raw body
  }
  return { code: e.code, message };
}

/** True when `error` is a 404 from the API server. */
export function isNotFound(error: unknown): boolean {
  return apiFailure(error)?.code === 404;
}

/** Rethrows a Kubernetes failure as a CliError saying what was being done. */
export function explain(what: string, error: unknown): never {
  const api = apiFailure(error);
  if (api) throw new CliError(`${what}: ${api.message} (HTTP ${api.code})`);
  const message = (error as Error)?.message ?? String(error);
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|certificate/i.test(message)) {
    throw new CliError(`${what}: cannot reach the cluster (${message}). Check KUBECONFIG and the current context: kubectl config current-context`);
  }
  throw new CliError(`${what}: ${message}`);
}

/** Answers worth retrying: throttling, and storage re-initializing after a CRD changed (429), or unavailable (503). */
const TRANSIENT = new Set([429, 503]);

/** Runs `call`, retrying transient API answers with a growing pause (about 10s in all). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 5 || !TRANSIENT.has(apiFailure(error)?.code ?? 0)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

const OC = { apiVersion: orchestClusterResource.apiVersion, kind: orchestClusterResource.kind } as const;

/** Kubernetes calls of the CLI. */
export class Kube {
  readonly config: KubeConfig;
  private readonly objects: KubernetesObjectApi;

  constructor(config?: KubeConfig) {
    this.config = config ?? Kube.defaultConfig();
    this.objects = KubernetesObjectApi.makeApiClient(this.config);
  }

  /** KUBECONFIG, else ~/.kube/config, else the in-cluster service account. */
  static defaultConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromDefault();
    if (!config.getCurrentCluster()) {
      throw new CliError("no cluster in the kubeconfig: set KUBECONFIG to a kubeconfig file, or select a context with kubectl config use-context");
    }
    return config;
  }

  /** Namespace of the kubeconfig's current context, if it names one. */
  contextNamespace(): string | undefined {
    return this.config.getContextObject(this.config.getCurrentContext())?.namespace;
  }

  /** Server-side apply of each object in order (the CLI owns the fields it sets, conflicts are forced). */
  async apply(objects: readonly AnyObject[]): Promise<void> {
    for (const object of objects) {
      await retrying(() => this.objects.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)).catch((error) => explain(`applying ${object.kind} ${object.metadata?.name}`, error));
    }
  }

  /** Deletes each object in order; objects already gone are skipped. Returns how many were deleted. */
  async delete(objects: readonly AnyObject[]): Promise<number> {
    let deleted = 0;
    for (const object of objects) {
      try {
        await retrying(() => this.objects.delete(object as KubernetesObject, undefined, undefined, undefined, undefined, "Background"));
        deleted++;
      } catch (error) {
        if (!isNotFound(error)) explain(`deleting ${object.kind} ${object.metadata?.name}`, error);
      }
    }
    return deleted;
  }

  /** The objects of the list that still exist (being deleted or not). */
  async remaining(objects: readonly AnyObject[]): Promise<AnyObject[]> {
    const left: AnyObject[] = [];
    for (const object of objects) {
      try {
        const { apiVersion, kind, metadata } = object as KubernetesObject;
        await retrying(() => this.objects.read({ apiVersion, kind, metadata: { name: metadata!.name!, ...(metadata?.namespace ? { namespace: metadata.namespace } : {}) } }));
        left.push(object);
      } catch (error) {
        if (!isNotFound(error)) explain(`reading ${object.kind} ${object.metadata?.name}`, error);
      }
    }
    return left;
  }

  /** True when the CustomResourceDefinition exists and is Established. */
  async crdEstablished(name: string): Promise<boolean> {
    try {
      const crd = await retrying(() => this.config.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name }));
      return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
    } catch (error) {
      if (isNotFound(error)) return false;
      return explain(`reading CustomResourceDefinition ${name}`, error);
    }
  }

  /** The OrchestCluster, or undefined when there is none of that name. */
  async getCluster(key: ObjectKey): Promise<OrchestCluster | undefined> {
    try {
      return (await retrying(() => this.objects.read({ ...OC, metadata: { name: key.name, namespace: key.namespace } }))) as OrchestCluster;
    } catch (error) {
      if (isNotFound(error) && (await this.crdEstablished(`${orchestClusterResource.plural}.${orchestClusterResource.group}`))) return undefined;
      if (isNotFound(error)) throw new CliError("the OrchestCluster CRD is not installed: run orchest install first");
      return explain(`reading OrchestCluster ${key.namespace}/${key.name}`, error);
    }
  }

  /** OrchestClusters of a namespace, or of every namespace when `namespace` is undefined. */
  async listClusters(namespace: string | undefined): Promise<OrchestCluster[]> {
    try {
      const list = await retrying(() => this.objects.list(OC.apiVersion, OC.kind, namespace));
      return list.items.map((item) => ({ ...(item as OrchestCluster), ...OC }));
    } catch (error) {
      if (isNotFound(error)) throw new CliError("the OrchestCluster CRD is not installed: run orchest install first");
      return explain("listing OrchestClusters", error);
    }
  }

  /** JSON merge patch of an OrchestCluster (null removes a field). */
  async patchCluster(key: ObjectKey, patch: { readonly metadata?: Record<string, unknown>; readonly spec?: Record<string, unknown> }): Promise<OrchestCluster> {
    // The body names the object too: client-node derives the request path from it.
    const body = { ...OC, ...patch, metadata: { ...patch.metadata, name: key.name, namespace: key.namespace } };
    try {
      return (await retrying(() => this.objects.patch(body, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch))) as OrchestCluster;
    } catch (error) {
      return explain(`patching OrchestCluster ${key.namespace}/${key.name}`, error);
    }
  }
}
