import { objectKey, type Informer } from "../../reconcilers/index.js";
import type { ImageBuildStatus } from "../../crds/types/index.js";
import { BuildLog, type BuildOutcome, type LogEvent } from "./build-log.js";
import { BUILDER_CONTAINER } from "./builder-pod.js";
import type { LogSource } from "./log-source.js";

export interface BuildLogsOptions {
  readonly source: LogSource;
  /** The ImageBuild cache (shared with the controller): outcomes and pod names come from it. */
  readonly builds: Informer;
  readonly maxLines?: number;
  readonly retryMs?: number;
  readonly drainMs?: number;
  /** How long an ended log stays for late joiners. @default 5 minutes */
  readonly keepEndedMs?: number;
}

/** The followed build logs, one per build, started on a first client and dropped a while after they end. */
export class BuildLogs {
  private readonly logs = new Map<string, BuildLog>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: BuildLogsOptions) {
    const changed = (obj: { metadata: { namespace?: string; name?: string } }) => this.logs.get(objectKey(obj as never))?.changed();
    this.unsubscribe = options.builds.addHandler({ onAdd: changed, onUpdate: (_, obj) => changed(obj), onDelete: changed });
  }

  /** The log of build namespace/name, or undefined when there is no such build. */
  logOf(namespace: string, name: string): BuildLog | undefined {
    const key = `${namespace}/${name}`;
    const existing = this.logs.get(key);
    if (existing) return existing;
    if (!this.options.builds.get(key)) return undefined;
    const log = new BuildLog(namespace, {
      source: this.options.source,
      current: () => this.options.builds.get(key),
      ...(this.options.maxLines ? { maxLines: this.options.maxLines } : {}),
      ...(this.options.retryMs ? { retryMs: this.options.retryMs } : {}),
      ...(this.options.drainMs ? { drainMs: this.options.drainMs } : {}),
    });
    this.logs.set(key, log);
    void log.done.then(() => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.logs.get(key) === log) this.logs.delete(key);
      }, this.options.keepEndedMs ?? 300_000);
      this.timers.add(timer);
    });
    return log;
  }

  /**
   * The log of build namespace/name as it is now (like `kubectl logs` without -f), ending with the build's
   * phase at that moment; undefined when there is no such build.
   */
  async snapshot(namespace: string, name: string): Promise<LogEvent[] | undefined> {
    const build = this.options.builds.get(`${namespace}/${name}`);
    if (!build) return undefined;
    const status = (build.status ?? {}) as ImageBuildStatus;
    const events: LogEvent[] = [];
    if (status.podName) {
      try {
        const lines = await this.options.source.read(namespace, status.podName, BUILDER_CONTAINER);
        events.push(...lines.map((text, i) => ({ kind: "line" as const, id: i + 1, text })));
      } catch (err) {
        events.push({ kind: "notice", text: `the builder's log cannot be read yet: ${(err as Error).message}` });
      }
    }
    const now: BuildOutcome = { phase: status.phase ?? "Pending", ...(status.reason ? { reason: status.reason } : {}), ...(status.message ? { message: status.message } : {}) };
    events.push({ kind: "end", outcome: now });
    return events;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    const logs = [...this.logs.values()];
    this.logs.clear();
    for (const log of logs) log.stop();
    await Promise.all(logs.map((log) => log.done));
  }
}
