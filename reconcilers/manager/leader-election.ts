import { sleep } from "../backoff.js";
import type { KubeClient } from "../client/client.js";
import { microTime, type KubeObject, type ObjectRef } from "../client/object.js";
import { silentLogger, type Logger } from "../log.js";
import { linkedSignal } from "../signals.js";

export interface LeaderElectionOptions {
  namespace: string;
  leaseName: string;
  identity: string;
  /** How long a standby waits, after it last saw the lease change, before it takes the lease. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it steps down; shorter than the lease duration. */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

/**
 * client-go's leader election on a coordination.k8s.io Lease. Expiry is judged on the local clock from
 * when this process last saw the lease record change, never from the timestamps in it, so clock skew
 * between machines cannot make two leaders. The leader steps down once it failed to renew for
 * renewDeadline, which is shorter than the lease duration a standby waits.
 */
export class LeaderElector {
  private readonly ref: ObjectRef;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private observed: { record: string; at: number } | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly options: LeaderElectionOptions,
  ) {
    this.ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: options.namespace, name: options.leaseName };
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.logger = (options.logger ?? silentLogger).child({ lease: `${options.namespace}/${options.leaseName}`, identity: options.identity });
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error("renewDeadline must be shorter than leaseDuration");
  }

  /** Resolves true once this process holds the lease, false if the signal aborted first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) {
        this.logger.info("acquired the lease");
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /**
   * Renews every retry period, from the moment the lease is acquired (whatever the caches are doing);
   * resolves "lost" when no renewal succeeded for renewDeadline, counted from the start of the last
   * successful one, or "stopped" when the signal aborts. Each attempt is cut off at that deadline, so a
   * request hanging on a dead connection cannot keep a leader that no longer renews.
   */
  async hold(signal: AbortSignal): Promise<"lost" | "stopped"> {
    let renewed = Date.now();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) break;
      const started = Date.now();
      const left = renewed + this.renewDeadlineMs - started;
      let ok = false;
      if (left > 0) {
        const attempt = linkedSignal([signal], left);
        ok = await this.tryAcquireOrRenew(attempt.signal).finally(() => attempt.dispose());
      }
      if (ok) renewed = started;
      else if (Date.now() - renewed >= this.renewDeadlineMs && !signal.aborted) {
        this.logger.error("failed to renew the lease in time, stepping down", { renewDeadlineMs: this.renewDeadlineMs });
        return "lost";
      }
    }
    return "stopped";
  }

  /** Gives the lease up so that a standby takes over at once instead of after the lease duration. */
  async release(): Promise<void> {
    const signal = AbortSignal.timeout(this.renewDeadlineMs);
    try {
      const lease = (await this.client.get(this.ref, { signal })) as Lease | undefined;
      if (!lease || lease.spec?.holderIdentity !== this.options.identity) return;
      const now = microTime();
      await this.client.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { signal });
      this.logger.info("released the lease");
    } catch (err) {
      this.logger.error("releasing the lease failed: a standby takes over once it expires", { error: err });
    }
  }

  private async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = microTime();
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    const call = signal ? { signal } : {};
    try {
      const lease = (await this.client.get(this.ref, call)) as Lease | undefined;
      if (!lease) {
        const spec: LeaseSpec = { holderIdentity: this.options.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
        const created = await this.client.create({ apiVersion: this.ref.apiVersion, kind: this.ref.kind, metadata: { name: this.ref.name, namespace: this.ref.namespace }, spec }, call);
        this.observe(created as Lease);
        return true;
      }
      this.observe(lease);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const mine = holder === this.options.identity;
      const expiresAt = this.observed!.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (holder && !mine && Date.now() < expiresAt) return false;
      const next: LeaseSpec = {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: mine ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      };
      // replace carries the resourceVersion we read: a rival that wrote in between makes this a 409.
      this.observe((await this.client.replace({ ...lease, spec: next }, call)) as Lease);
      return true;
    } catch (err) {
      this.logger.debug("lease attempt failed", { error: err });
      return false;
    }
  }

  private observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
  }
}
