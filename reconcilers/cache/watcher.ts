import { exponentialDelay, sleep } from "../backoff.js";
import type { KubeClient } from "../client/client.js";
import { ApiError, isGone } from "../client/errors.js";
import type { GroupVersionKind, KubeObject } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** Where a watcher delivers what it learns: a full state after each (re)list, then single changes. */
export interface WatchSink {
  replace(items: KubeObject[]): void;
  change(type: ChangeType, obj: KubeObject): void;
}

export interface WatcherOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side end of each watch; client-go's 5–10 minutes, randomized so watches do not end together. */
  timeoutSeconds?: number;
  /** A watch that delivered nothing (not even a bookmark) for this long is presumed dead and reopened. */
  idleTimeoutMs?: number;
  pageSize?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  logger?: Logger;
}

interface RawWatchEvent {
  type: ChangeType | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/**
 * List then watch, forever: asks for bookmarks so the resourceVersion it resumes from stays fresh, reopens a
 * watch that ended (server timeout or idle watchdog) from the last resourceVersion, retries failures with
 * capped exponential backoff, and relists when the server answers 410 Gone (history compacted, or a
 * restarted apiserver's watch cache no longer reaches back that far).
 */
export class Watcher {
  private readonly logger: Logger;
  private readonly options: WatcherOptions;

  constructor(
    private readonly client: KubeClient,
    private readonly gvk: GroupVersionKind,
    private readonly sink: WatchSink,
    options: WatcherOptions = {},
  ) {
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ watch: `${gvk.apiVersion}/${gvk.kind}` });
  }

  async run(signal: AbortSignal): Promise<void> {
    const base = this.options.backoffBaseMs ?? 200;
    const cap = this.options.backoffCapMs ?? 30_000;
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        resourceVersion ??= await this.list(signal);
        resourceVersion = await this.watch(resourceVersion, signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) {
          this.logger.info("resourceVersion too old, relisting", { error: err });
          resourceVersion = undefined;
          continue;
        }
        // Resuming from the last resourceVersion loses nothing: the server replays from there or answers 410.
        const delay = exponentialDelay(failures++, base, cap) * (0.5 + Math.random() / 2);
        this.logger.error("list/watch failed, retrying after backoff", { error: err, delayMs: Math.round(delay) });
        await sleep(delay, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<string> {
    const items: KubeObject[] = [];
    let resourceVersion = "";
    let continueToken: string | undefined;
    do {
      if (signal.aborted) throw new Error("aborted");
      const page = await this.client.list(this.gvk, {
        namespace: this.options.namespace,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
      });
      items.push(...page.items);
      resourceVersion ||= page.metadata.resourceVersion ?? "";
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    this.sink.replace(items);
    return resourceVersion;
  }

  /** One watch; returns the resourceVersion to resume from when it ends normally. */
  private async watch(resourceVersion: string, signal: AbortSignal): Promise<string> {
    const timeoutSeconds = this.options.timeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const idleTimeoutMs = this.options.idleTimeoutMs ?? 120_000;
    const path = await this.client.path({ ...this.gvk, namespace: this.options.namespace });
    const opened = Date.now();
    const res = await this.client.transport.stream(path, {
      query: {
        watch: 1,
        allowWatchBookmarks: true,
        resourceVersion,
        timeoutSeconds,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
      },
      signal,
    });
    res.setEncoding("utf8");
    let idled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        idled = true;
        res.destroy();
      }, idleTimeoutMs);
    };
    let events = 0;
    let buffered = "";
    arm();
    try {
      for await (const chunk of res) {
        arm();
        buffered += chunk as string;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          resourceVersion = this.handle(JSON.parse(line) as RawWatchEvent, resourceVersion);
          events++;
        }
      }
    } catch (err) {
      if (!idled && !signal.aborted) throw err;
    } finally {
      clearTimeout(idleTimer);
      res.destroy();
    }
    if (idled) this.logger.info("watch idle, reopening", { idleTimeoutMs });
    // A watch the server closes at once, again and again, must not become a busy loop.
    if (events === 0 && !idled && Date.now() - opened < 1000) throw new Error("watch closed immediately");
    return resourceVersion;
  }

  private handle(event: RawWatchEvent, resourceVersion: string): string {
    const obj = event.object;
    switch (event.type) {
      case "ERROR":
        throw new ApiError(obj.code ?? 500, obj.reason ?? "", obj.message ?? "watch error", "WATCH", this.gvk.kind);
      case "BOOKMARK":
        return obj.metadata.resourceVersion ?? resourceVersion;
      default:
        this.sink.change(event.type, obj);
        return obj.metadata.resourceVersion ?? resourceVersion;
    }
  }
}
