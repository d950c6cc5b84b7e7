import type { ImageBuildStatus } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";
import { TERMINAL_PHASES } from "./build-progress.js";
import { BUILDER_CONTAINER } from "./builder-pod.js";
import type { LogSource } from "./log-source.js";

/** How a build ended, as the last event of its log stream. */
export interface BuildOutcome {
  phase: string;
  reason?: string;
  message?: string;
}

export type LogEvent =
  | { kind: "line"; id: number; text: string }
  /** Something the client should know that is not the builder's output (e.g. the log cannot be read). */
  | { kind: "notice"; text: string }
  | { kind: "end"; outcome: BuildOutcome };

export interface BuildLogOptions {
  readonly source: LogSource;
  /** The build as the cache holds it now; undefined once deleted. */
  readonly current: () => KubeObject | undefined;
  /** Lines kept for clients that join late or reconnect. @default 5000 */
  readonly maxLines?: number;
  /** Wait between attempts to read a log that is not readable yet. @default 2s */
  readonly retryMs?: number;
  /** How long a followed log may still deliver once the build has ended, before it is cut. @default 5s */
  readonly drainMs?: number;
}

/**
 * One build's log: follows the builder pod's log (once, however many clients watch), keeps the last
 * `maxLines` lines, and ends with the build's outcome. Listeners get every event after what they replayed.
 */
export class BuildLog {
  private readonly lines: Array<{ id: number; text: string }> = [];
  private readonly listeners = new Set<(event: LogEvent) => void>();
  private readonly abort = new AbortController();
  private ended: BuildOutcome | undefined;
  private received = 0;
  private lastNotice: string | undefined;
  private wake: (() => void) | undefined;
  private onChange: (() => void) | undefined;
  /** A change arrived while not sleeping: the next sleep returns at once, so no change is missed. */
  private dirty = false;
  readonly done: Promise<void>;

  constructor(
    private readonly namespace: string,
    private readonly options: BuildLogOptions,
  ) {
    this.done = this.run();
  }

  /** Events kept so far after line id `afterId` (a reconnecting client's Last-Event-ID), and the live ones through `listener`. */
  subscribe(listener: (event: LogEvent) => void, afterId = 0): { backlog: LogEvent[]; unsubscribe: () => void } {
    const backlog: LogEvent[] = [];
    const first = this.lines[0]?.id ?? this.received + 1;
    if (afterId + 1 < first) backlog.push({ kind: "notice", text: `${first - afterId - 1} earlier lines are no longer kept` });
    backlog.push(...this.lines.filter((l) => l.id > afterId).map((l) => ({ kind: "line" as const, ...l })));
    if (this.ended) backlog.push({ kind: "end", outcome: this.ended });
    else this.listeners.add(listener);
    return { backlog, unsubscribe: () => this.listeners.delete(listener) };
  }

  /** The build changed: a pod may be there to follow, or the outcome known. */
  changed(): void {
    this.onChange?.();
    this.dirty = true;
    this.wake?.();
  }

  stop(): void {
    this.abort.abort();
    this.wake?.();
  }

  get outcome(): BuildOutcome | undefined {
    return this.ended;
  }

  private async run(): Promise<void> {
    let logFinished = false;
    while (!this.abort.signal.aborted) {
      const build = this.options.current();
      if (!build) return this.end({ phase: "Deleted", reason: "BuildDeleted", message: "the ImageBuild was deleted" });
      const status = (build.status ?? {}) as ImageBuildStatus;
      const running = status.phase === "Building" || TERMINAL_PHASES.has(status.phase ?? "");
      if (status.podName && running && !logFinished) logFinished = await this.follow(status.podName);
      if (TERMINAL_PHASES.has(status.phase ?? "") && (logFinished || !status.podName || this.lastNotice)) {
        return this.end({ phase: status.phase!, ...(status.reason ? { reason: status.reason } : {}), ...(status.message ? { message: status.message } : {}) });
      }
      await this.sleep(logFinished ? undefined : (this.options.retryMs ?? 2000));
    }
  }

  // Reads the log from its start, skipping the lines already received (a re-follow after a broken stream).
  // A followed log can outlive its container (a lost node, a simulated one): once the build has ended, the
  // stream gets drainMs to deliver what is still coming; then what it has not delivered yet (a slow stream
  // on a loaded node) is read in one request, which ends by itself.
  private async follow(pod: string): Promise<boolean> {
    const stream = new AbortController();
    const cut = () => stream.abort();
    this.abort.signal.addEventListener("abort", cut);
    let drain: NodeJS.Timeout | undefined;
    this.onChange = () => {
      if (!drain && TERMINAL_PHASES.has(((this.options.current()?.status ?? {}) as ImageBuildStatus).phase ?? "")) drain = setTimeout(cut, this.options.drainMs ?? 5000);
    };
    this.onChange();
    let seen = 0;
    try {
      for await (const text of this.options.source.follow(this.namespace, pod, BUILDER_CONTAINER, stream.signal)) this.receive(++seen, text);
      return true;
    } catch (err) {
      if (this.abort.signal.aborted) return false;
      if (stream.signal.aborted) return this.readRest(pod);
      this.notice(`the builder's log cannot be read yet: ${(err as Error).message}`);
      return false;
    } finally {
      clearTimeout(drain);
      this.onChange = undefined;
      this.abort.signal.removeEventListener("abort", cut);
    }
  }

  private async readRest(pod: string): Promise<boolean> {
    try {
      const lines = await this.options.source.read(this.namespace, pod, BUILDER_CONTAINER);
      lines.forEach((text, i) => this.receive(i + 1, text));
    } catch (err) {
      this.notice(`the rest of the builder's log cannot be read: ${(err as Error).message}`);
    }
    return true;
  }

  /** Line number `seen` of the log; lines already received (before a re-read) are skipped. */
  private receive(seen: number, text: string): void {
    if (seen <= this.received) return;
    this.received = seen;
    const line = { id: seen, text };
    this.lines.push(line);
    if (this.lines.length > (this.options.maxLines ?? 5000)) this.lines.shift();
    this.emit({ kind: "line", ...line });
  }

  private notice(text: string): void {
    if (text !== this.lastNotice) this.emit({ kind: "notice", text });
    this.lastNotice = text;
  }

  private end(outcome: BuildOutcome): void {
    this.ended = outcome;
    this.emit({ kind: "end", outcome });
    this.listeners.clear();
  }

  private emit(event: LogEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private sleep(ms: number | undefined): Promise<void> {
    if (this.dirty || this.abort.signal.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.dirty = false;
        resolve();
      };
    });
  }
}
