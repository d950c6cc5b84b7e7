import type { EventDelivery } from "../../crds/types/index.js";
import { byLabel, objectKey, type Informer, type KubeClient } from "../../reconcilers/index.js";
import { asDelivery, EVENT_DELIVERY } from "./kube-objects.js";

/**
 * The time a delivery was recorded, to the RECORDED_BUCKET_SECONDS (Unix seconds, rounded down): the outbox
 * sets it when it creates the delivery. Delivered records expire bucket by bucket, each with one
 * delete-collection instead of one delete per record.
 */
export const RECORDED_LABEL = "orchest.io/recorded";
const RECORDED_BUCKET_SECONDS = 10;

export function recordedLabel(now: Date): Record<string, string> {
  const seconds = Math.floor(now.getTime() / 1000);
  return { [RECORDED_LABEL]: String(seconds - (seconds % RECORDED_BUCKET_SECONDS)) };
}

const BUCKET_INDEX = RECORDED_LABEL;
/** How often an expired record asks again while its bucket holds a busy, Pending or unexpired record. */
const RECHECK_MS = 1000;

export interface RetentionSweepOptions {
  client: KubeClient;
  namespace: string;
  deliveries: Informer;
  retentionMs: number;
  /**
   * True while this key may still become Delivered without the cache showing it: an attempt in flight, or a
   * write of ours the cache has not caught up with. Only this controller records Delivered, so when no key of a
   * bucket is busy, the apiserver's Delivered records of the bucket are exactly the cached ones.
   */
  busy: (key: string) => boolean;
  /** Told of each record the sweep deleted, before the watch shows it gone. */
  deleted: (key: string, uid: string) => void;
}

/**
 * Deletes expired Delivered records a bucket at a time: `delete-collection` with the bucket's label and
 * `status.phase=Delivered` (a selectable field), once the bucket is closed (no recording goes into it any
 * more), none of its records is busy or Pending (about to be delivered), and every Delivered one is past its
 * retention: a bucket whose deliveries went well is swept once. Retrying and dead-lettered records are not
 * selected and do not hold the others back; a record that is Delivered later is swept with a later call.
 * "Closed" is by this process's clock, which is the outbox's too (both run in the api); a clock that disagreed
 * would only cost a second sweep of the bucket, as what is not Delivered is never selected.
 *
 * Each Delivered record asks for a sweep when it expires (its reconcile is requeued until then), and again
 * every RECHECK_MS until its bucket is swept: no timers of its own, and a restart loses nothing. The bucket's
 * verdict is kept for RECHECK_MS, so a large bucket is scanned once per recheck, not once per record.
 */
export class RetentionSweep {
  private readonly sweeping = new Set<string>();
  /** Per bucket found not sweepable: until when that holds (ms since the epoch). */
  private readonly blocked = new Map<string, number>();

  constructor(private readonly options: RetentionSweepOptions) {
    options.deliveries.addIndexer(BUCKET_INDEX, byLabel(RECORDED_LABEL));
  }

  /** The bucket of a record, or undefined for one recorded without the label (deleted on its own). */
  static bucketOf(delivery: EventDelivery): string | undefined {
    return delivery.metadata?.labels?.[RECORDED_LABEL];
  }

  /**
   * Called by the reconcile of an expired Delivered record of `bucket`. Starts the bucket's sweep beside the
   * caller when it can (`failed` if the request fails) and returns undefined; otherwise returns after how many
   * ms the record should ask again.
   */
  expired(bucket: string, now: Date, failed: (err: Error) => void): number | undefined {
    // A record that was not Delivered when the sweep listed its bucket is not deleted: it asks again.
    if (this.sweeping.has(bucket)) return RECHECK_MS;
    const known = this.blocked.get(bucket);
    const until = known !== undefined && known > now.getTime() ? known : this.blockedUntil(bucket, now);
    if (until > now.getTime()) {
      this.blocked.set(bucket, until);
      return until - now.getTime();
    }
    this.blocked.delete(bucket);
    this.sweeping.add(bucket);
    void this.sweep(bucket)
      .catch(failed)
      .finally(() => this.sweeping.delete(bucket));
    return undefined;
  }

  private async sweep(bucket: string): Promise<void> {
    const { client, namespace, deliveries } = this.options;
    const gone = await client.deleteCollection(EVENT_DELIVERY, { namespace, labelSelector: `${RECORDED_LABEL}=${bucket}`, fieldSelector: "status.phase=Delivered" });
    for (const item of gone.items) {
      // One the watch has already removed from the cache needs no remembering.
      const key = objectKey(item);
      if (deliveries.get(key)?.metadata.uid === item.metadata.uid) this.options.deleted(key, item.metadata.uid!);
    }
  }

  /** Until when the bucket cannot be swept; `now` or earlier when it can. */
  private blockedUntil(bucket: string, now: Date): number {
    const closes = (Number(bucket) + RECORDED_BUCKET_SECONDS) * 1000;
    if (closes > now.getTime()) return closes;
    const ready = this.options.deliveries.byIndex(BUCKET_INDEX, bucket).every((obj) => {
      if (this.options.busy(objectKey(obj))) return false;
      const status = asDelivery(obj).status;
      switch (status?.phase) {
        case undefined:
        case "Pending":
          return false;
        case "Delivered":
          // Set whenever the phase is (a rule of the CRD).
          return Date.parse(status.deliveredTime!) + this.options.retentionMs <= now.getTime();
        default:
          return true;
      }
    });
    return ready ? now.getTime() : now.getTime() + RECHECK_MS;
  }
}
