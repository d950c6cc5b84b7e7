import { ExponentialBackoff, type Backoff } from "../backoff.js";
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
  /** A new Backoff per watcher, for lists and watches that fail (a 410 Gone too); 200 ms doubling to 30 s by default. */
  backoff?: () => Backoff;
  logger?: Logger;
}

interface RawWatchEvent {
  type: ChangeType | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/**
 * List then watch, forever: asks for bookmarks so the resourceVersion it resumes from stays fresh, reopens a
 * watch that ended (server timeout or idle watchdog) from the last resourceVersion, retries failures with
 * capped exponential backoff, and relists, after the same backoff, when the server answers 410 Gone (history
 * compacted, or a restarted apiserver's watch cache no longer reaches back that far).
 *
 * Invariant: `resourceVersion` is the version of the last list or event delivered to the sink, kept on every
 * event, so a watch that breaks mid-stream (a reset connection) resumes exactly after what the cache holds:
 * never from an older version, which would replay events and bring deleted objects back for a moment.
 */
export class Watcher {
  private readonly logger: Logger;
  private readonly options: WatcherOptions;
  private resourceVersion: string | undefined;

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
    const backoff = this.options.backoff?.() ?? new ExponentialBackoff();
    // A restarted watcher relists: the sink diffs the list against what it holds.
    this.resourceVersion = undefined;
    while (!signal.aborted) {
      try {
        this.resourceVersion ??= await this.list(signal);
        await this.watch(this.resourceVersion, signal);
        backoff.reset();
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) {
          this.logger.info("resourceVersion too old, relisting", { error: err });
          this.resourceVersion = undefined;
        } else {
          // Resuming from the last resourceVersion loses nothing: the server replays from there or answers 410.
          this.logger.error("list/watch failed, retrying after backoff", { error: err });
        }
        await backoff.wait(signal);
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

  /** One watch, from `resourceVersion`; each event moves `this.resourceVersion` on. */
  private async watch(resourceVersion: string, signal: AbortSignal): Promise<void> {
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
          this.handle(JSON.parse(line) as RawWatchEvent);
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
  }

  private handle(event: RawWatchEvent): void {
    const obj = event.object;
    switch (event.type) {
      case "ERROR":
        throw new ApiError(obj.code ?? 500, obj.reason ?? "", obj.message ?? "watch error", "WATCH", this.gvk.kind);
      case "BOOKMARK":
        break;
      default:
        this.sink.change(event.type, obj);
    }
    this.resourceVersion = obj.metadata.resourceVersion ?? this.resourceVersion;
  }
}
