import { CoreV1Api, StorageV1Api, type KubeConfig, type V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { join } from "node:path";

/** The test bed's default StorageClass: PVCs that name no class get it, and the provisioner below serves it. */
export const storageClassName = "testbed";
const provisionerName = "testbed.orchest.io/hostpath";

/**
 * A minimal dynamic provisioner: for every pending claim of the test bed's class it creates a hostPath
 * PersistentVolume bound to that claim, and deletes released ones (kwok never mounts it; the path is only bookkeeping under the test
 * bed's folder). Without it, pods with volumes would never schedule.
 */
export class Provisioner {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly kc: KubeConfig, private readonly dir: string, private readonly intervalMs = 250) {}

  async start(): Promise<void> {
    await this.kc.makeApiClient(StorageV1Api).createStorageClass({
      body: {
        metadata: { name: storageClassName, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: provisionerName,
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
      },
    });
    const loop = async () => {
      await this.provisionPending().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async provisionPending(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const claims = await core.listPersistentVolumeClaimForAllNamespaces();
    for (const claim of claims.items) {
      if (claim.spec?.volumeName || claim.spec?.storageClassName !== storageClassName) continue;
      await core.createPersistentVolume({ body: this.volumeFor(claim) }).catch(() => undefined);
    }
    // Reclaim policy Delete: once its claim is gone, the volume goes too, as with a real provisioner.
    const volumes = await core.listPersistentVolume();
    for (const volume of volumes.items) {
      if (volume.spec?.storageClassName !== storageClassName || volume.status?.phase !== "Released") continue;
      await core.deletePersistentVolume({ name: volume.metadata!.name! }).catch(() => undefined);
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
