import type { KubeConfig } from "@kubernetes/client-node";
import { hostname } from "node:os";
import type { InformerOptions } from "../cache/informer.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import { Controller, type ControllerOptions } from "../controller/controller.js";
import { EventRecorder } from "../events/recorder.js";
import { jsonLogger, type Logger } from "../log.js";
import { flushTraces } from "../tracing/index.js";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.js";
import { ManagerMetrics } from "./metrics.js";
import { startProbeServer } from "./probes.js";

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Names the lease, the events' reporting controller and the logs. */
  name: string;
  /** Only the holder of the lease runs controllers; omit to run them at once (a single replica). */
  leaderElection?: Omit<LeaderElectionOptions, "identity" | "logger" | "leaseName"> & { leaseName?: string; identity?: string };
  /** /healthz, /readyz and /metrics; port 0 picks a free one. Omit for no server. */
  probes?: { host?: string; port: number };
  informerDefaults?: Omit<InformerOptions, "namespace" | "labelSelector" | "fieldSelector" | "logger">;
  logger?: Logger;
}

/**
 * Runs controllers over shared informers: caches start at once (a standby is warm), controllers start when
 * this process leads. Stopping is graceful: intake stops, running reconciles finish, watches close, the
 * lease is released.
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

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? jsonLogger({ fields: { manager: options.name } });
    this.client = new KubeClient(options.kubeConfig);
    this.informers = new SharedInformers(this.client, options.informerDefaults, this.logger);
    this.identity = options.leaderElection?.identity ?? `${hostname()}_${process.pid}`;
    this.metrics.observeRequests(this.client.counter, new URL(options.kubeConfig.getCurrentCluster()!.server).host);
    if (options.leaderElection) {
      this.elector = new LeaderElector(this.client, {
        ...options.leaderElection,
        leaseName: options.leaderElection.leaseName ?? options.name,
        identity: this.identity,
        logger: this.logger,
      });
    }
  }

  addController(options: Omit<ControllerOptions, "metrics" | "logger">): Controller {
    const controller = new Controller({
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

  /** Starts probes and caches, then (after winning the lease, if elected) the controllers. Returns at once. */
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
    await this.election;
    await this.stopControllers();
    await this.informers.stop();
    if (this.leading) await this.elector?.release();
    this.leading = false;
    await this.probes?.close();
    this.client.close();
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
    await this.lead();
    const outcome = await elector.hold(this.abort.signal);
    if (outcome === "lost") {
      // Like controller-runtime: a leader that lost its lease must stop at once; the process should exit.
      this.leading = false;
      this.metrics.setLeader(elector.options.leaseName, false);
      process.exitCode = 1;
      void this.stop();
    }
  }

  private async lead(): Promise<void> {
    this.leading = true;
    if (this.elector) this.metrics.setLeader(this.elector.options.leaseName, true);
    this.logger.info("leading: starting controllers", { identity: this.identity, controllers: this.controllers.length });
    await Promise.all(this.controllers.map((controller) => controller.start()));
  }

  private async stopControllers(): Promise<void> {
    await Promise.all(this.controllers.map((controller) => controller.stop()));
  }
}
