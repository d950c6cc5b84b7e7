import { hostname } from "node:os";
import type { InformerOptions } from "../cache/informer.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import type { KubeAccess } from "../client/kubeconfig.js";
import { Controller, type ControllerOptions } from "../controller/controller.js";
import { EventRecorder } from "../events/recorder.js";
import { jsonLogger, type Logger } from "../log.js";
import { flushTraces } from "../tracing/index.js";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.js";
import { ManagerMetrics } from "./metrics.js";
import { startProbeServer } from "./probes.js";

export interface ManagerOptions {
  kubeConfig: KubeAccess;
  /** Names the lease, the events' reporting controller and the logs. */
  name: string;
  /** Only the holder of the lease runs controllers; omit to run them at once (a single replica). */
  leaderElection?: Omit<LeaderElectionOptions, "identity" | "logger" | "leaseName"> & { leaseName?: string; identity?: string };
  /** /healthz, /readyz and /metrics; port 0 picks a free one. Omit for no server. */
  probes?: { host?: string; port: number };
  informerDefaults?: Omit<InformerOptions, "namespace" | "labelSelector" | "fieldSelector" | "logger">;
  /** A controller whose caches have not synced by then fails the manager; controller-runtime's CacheSyncTimeout, 2 minutes. */
  cacheSyncTimeoutMs?: number;
  /** How long stopping waits for running reconciles; controller-runtime's GracefulShutdownTimeout, 30 s. */
  gracefulShutdownTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Runs controllers over shared informers: caches start at once (a standby is warm), controllers start when
 * this process leads. The lease is renewed from the moment it is acquired, on connections of its own, while
 * the caches may still be syncing. Losing it stops reconciling at once and ends the manager (exit code 1,
 * as controller-runtime). Stopping is graceful and bounded: intake stops, running reconciles finish (or the
 * shutdown timeout passes), watches close, the lease is released.
 */
export class Manager {
  readonly client: KubeClient;
  readonly informers: SharedInformers;
  readonly metrics = new ManagerMetrics();
  readonly logger: Logger;
  readonly identity: string;
  private readonly controllers: Controller[] = [];
  private readonly elector: LeaderElector | undefined;
  private readonly abort = new AbortController();
  private probes: { port: number; close: () => Promise<void> } | undefined;
  private leading = false;
  private election: Promise<void> | undefined;
  private electionClient: KubeClient | undefined;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? jsonLogger({ fields: { manager: options.name } });
    this.client = new KubeClient(options.kubeConfig);
    this.informers = new SharedInformers(this.client, options.informerDefaults, this.logger);
    this.identity = options.leaderElection?.identity ?? `${hostname()}_${process.pid}`;
    this.metrics.observeRequests(this.client.counter, new URL(options.kubeConfig.getCurrentCluster()!.server).host);
    if (options.leaderElection) {
      // Renewals never wait behind watches or a burst of writes for a socket.
      this.electionClient = new KubeClient(options.kubeConfig, { counter: this.client.counter });
      this.elector = new LeaderElector(this.electionClient, {
        ...options.leaderElection,
        leaseName: options.leaderElection.leaseName ?? options.name,
        identity: this.identity,
        logger: this.logger,
      });
    }
  }

  addController(options: Omit<ControllerOptions, "metrics" | "logger">): Controller {
    const controller = new Controller({
      cacheSyncTimeoutMs: this.options.cacheSyncTimeoutMs,
      ...options,
      logger: this.logger,
      metrics: this.metrics.forController(options.name, options.maxConcurrentReconciles ?? 1),
    });
    this.controllers.push(controller);
    return controller;
  }

  eventRecorder(controller = this.options.name): EventRecorder {
    return new EventRecorder(this.client, controller, this.identity, this.logger);
  }

  get probePort(): number | undefined {
    return this.probes?.port;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Starts probes and caches, then (after winning the lease, if elected) the controllers. Returns at once
   * when elected; otherwise once the controllers run, or rejects when their caches did not sync.
   */
  async start(): Promise<void> {
    if (this.options.probes) {
      this.probes = await startProbeServer({ ...this.options.probes, ready: () => this.informers.hasSynced(), registry: this.metrics.registry });
    }
    this.informers.start();
    if (!this.elector) {
      await this.lead();
      return;
    }
    this.election = this.elect(this.elector);
  }

  /** Graceful shutdown; idempotent. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    await this.stopControllers();
    await this.election;
    await this.informers.stop();
    if (this.leading) await this.elector?.release();
    this.leading = false;
    await this.probes?.close();
    this.client.close();
    this.electionClient?.close();
    await flushTraces();
    this.logger.info("stopped");
  }

  /** Stops on SIGTERM or SIGINT: what a Deployment's pod gets on rollout or scale-down. */
  stopOnSignals(): void {
    const stop = () => void this.stop();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  }

  private async elect(elector: LeaderElector): Promise<void> {
    if (!(await elector.acquire(this.abort.signal))) return;
    const holding = elector.hold(this.abort.signal);
    const leading = this.lead().catch(() => this.fail());
    if ((await holding) === "lost") {
      // Like controller-runtime: a leader that lost its lease stops reconciling now, and the process exits.
      this.leading = false;
      this.metrics.setLeader(elector.options.leaseName, false);
      this.logger.error("lost the lease: stopping every controller");
      await this.stopControllers();
      this.fail();
    }
    await leading;
  }

  private async lead(): Promise<void> {
    this.leading = true;
    if (this.elector) this.metrics.setLeader(this.elector.options.leaseName, true);
    this.logger.info("leading: starting controllers", { identity: this.identity, controllers: this.controllers.length });
    try {
      await Promise.all(this.controllers.map((controller) => controller.start()));
    } catch (err) {
      this.logger.error("a controller failed to start", { error: err });
      await this.stopControllers();
      throw err;
    }
  }

  private fail(): void {
    process.exitCode = 1;
    void this.stop();
  }

  // Running reconciles get the shutdown timeout to finish; stopping goes on after it either way.
  private async stopControllers(): Promise<void> {
    const timeoutMs = this.options.gracefulShutdownTimeoutMs ?? 30_000;
    const stopped = Promise.all(this.controllers.map((controller) => controller.stop())).then(() => true);
    const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
    if (!(await Promise.race([stopped, timedOut]))) this.logger.error("reconciles still running after the shutdown timeout: stopping anyway", { timeoutMs });
  }
}
