import type { KubeClient } from "../client/client.js";
import type { GroupVersionKind } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { Informer, type InformerOptions } from "./informer.js";

export type InformerScope = Pick<InformerOptions, "namespace" | "labelSelector" | "fieldSelector">;

/**
 * One informer per type and scope, however many controllers ask: one list and one watch on the apiserver.
 * Informers asked for after `start` start at once.
 */
export class SharedInformers {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: KubeClient,
    private readonly defaults: Omit<InformerOptions, keyof InformerScope> = {},
    private readonly logger: Logger = silentLogger,
  ) {}

  informerFor(gvk: GroupVersionKind, scope: InformerScope = {}): Informer {
    const key = keyOf(gvk, scope);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer(this.client, gvk, { ...this.defaults, ...scope, logger: this.logger });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Stops an informer and forgets it: its memory and its watch go, and the next ask starts a new one. */
  async remove(gvk: GroupVersionKind, scope: InformerScope = {}): Promise<void> {
    const key = keyOf(gvk, scope);
    const informer = this.informers.get(key);
    this.informers.delete(key);
    await informer?.stop();
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((informer) => informer.hasSynced());
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }
}

function keyOf(gvk: GroupVersionKind, scope: InformerScope): string {
  return [gvk.apiVersion, gvk.kind, scope.namespace ?? "", scope.labelSelector ?? "", scope.fieldSelector ?? ""].join("|");
}
