import { CoreV1Api, StorageV1Api, Watch, type KubeConfig, type V1PersistentVolume, type V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { join } from "node:path";

/** The test bed's default StorageClass: PVCs that name no class get it, and the provisioner below serves it. */
export const storageClassName = "testbed";
const provisionerName = "testbed.orchest.io/hostpath";
/** Pause before a watch that ended starts again, or a failed pass is tried again. */
const RETRY_MS = 1_000;

/**
 * A minimal dynamic provisioner: for every pending claim of the test bed's class it creates a hostPath
 * PersistentVolume bound to that claim, and deletes released ones (kwok never mounts it; the path is only bookkeeping under the test
 * bed's folder). Without it, pods with volumes would never schedule. It watches claims and volumes and lists only
 * when one needs it: every test bed runs one for its whole life, so a poll would cost the apiserver all along.
 */
export class Provisioner {
  private readonly watches = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** The pass in progress, and whether something changed since it listed. */
  private pass?: Promise<void>;
  private again = false;

  constructor(private readonly kc: KubeConfig, private readonly dir: string) {}

  async start(): Promise<void> {
    await this.kc.makeApiClient(StorageV1Api).createStorageClass({
      body: {
        metadata: { name: storageClassName, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: provisionerName,
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
      },
    });
    // A watch from no resourceVersion begins with every existing object, so a restarted one misses nothing.
    this.watch<V1PersistentVolumeClaim>("/api/v1/persistentvolumeclaims", (claim) => claim.spec?.storageClassName === storageClassName && !claim.spec.volumeName);
    this.watch<V1PersistentVolume>("/api/v1/persistentvolumes", (volume) => volume.spec?.storageClassName === storageClassName && volume.status?.phase === "Released");
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches) watch.abort();
    for (const timer of this.timers) clearTimeout(timer);
  }

  private watch<T extends { metadata?: { deletionTimestamp?: Date } }>(path: string, needsPass: (object: T) => boolean): void {
    if (this.stopped) return;
    let controller: AbortController | undefined;
    const restart = () => {
      if (controller) this.watches.delete(controller);
      this.later(() => this.watch(path, needsPass));
    };
    new Watch(this.kc).watch(path, {}, (phase: string, object: T) => {
      // An object on its way out needs nothing more (a volume's deletion alone brings three events).
      if (phase !== "DELETED" && !object.metadata?.deletionTimestamp && needsPass(object)) this.runPass();
    }, restart).then((started) => {
      controller = started;
      if (this.stopped) started.abort();
      else this.watches.add(started);
    }, restart);
  }

  /** Starts a pass, or asks the running one for another: it may have listed before the change. */
  private runPass(): void {
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = (async () => {
      do {
        this.again = false;
        await this.provisionPending().catch(() => this.later(() => this.runPass()));
      } while (this.again && !this.stopped);
    })().finally(() => (this.pass = undefined));
  }

  private later(run: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) run();
    }, RETRY_MS);
    this.timers.add(timer);
  }

  private async provisionPending(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const claims = await core.listPersistentVolumeClaimForAllNamespaces();
    for (const claim of claims.items) {
      if (claim.spec?.volumeName || claim.spec?.storageClassName !== storageClassName) continue;
      await core.createPersistentVolume({ body: this.volumeFor(claim) }).catch(ignoreConflict);
    }
    // Reclaim policy Delete: once its claim is gone, the volume goes too, as with a real provisioner.
    const volumes = await core.listPersistentVolume();
    for (const volume of volumes.items) {
      if (volume.spec?.storageClassName !== storageClassName || volume.status?.phase !== "Released") continue;
      await core.deletePersistentVolume({ name: volume.metadata!.name! }).catch(ignoreConflict);
    }
  }

  private volumeFor(claim: V1PersistentVolumeClaim) {
    const name = `pv-${claim.metadata!.uid}`;
    return {
      metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": provisionerName } },
      spec: {
        storageClassName,
        capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
        accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Delete",
        hostPath: { path: join(this.dir, "volumes", name) },
        claimRef: { namespace: claim.metadata!.namespace!, name: claim.metadata!.name!, uid: claim.metadata!.uid! },
      },
    };
  }
}

/** A volume made or deleted by an earlier pass: nothing left to do. */
function ignoreConflict(error: { code?: number }): void {
  if (error.code !== 409 && error.code !== 404) throw error;
}
