// Test support: a user directory that pods on the test bed's real nodes share with the test, as Orchest's
// user directory is shared by its pods.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { KubeClient } from "../../reconcilers/index.js";
import { eventually } from "../../testbed/index.js";

export interface HostUserdir {
  /** The folder on the host. */
  readonly path: string;
  /** The claim in the namespace, bound to the folder. */
  readonly claimName: string;
  /** Writes files (paths relative to the user directory), making their folders. */
  write(files: Readonly<Record<string, string>>): void;
  /** Deletes the PersistentVolume and the folder. */
  remove(): Promise<void>;
}

/**
 * A host folder (the real nodes' mount namespaces see the host's) as a PersistentVolume bound to claim
 * `userdir-pvc` of `namespace`; resolves once the claim is Bound (a pod of an unbound claim is not scheduled).
 */
export async function hostUserdir(client: KubeClient, namespace: string): Promise<HostUserdir> {
  const path = mkdtempSync(join(tmpdir(), `${namespace}-userdir-`));
  const volume = `${namespace}-userdir`;
  const claimName = "userdir-pvc";
  await client.create({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: volume }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], hostPath: { path, type: "Directory" }, claimRef: { namespace, name: claimName } } });
  await client.create({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claimName, namespace }, spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName: volume, resources: { requests: { storage: "1Gi" } } } });
  await eventually(`claim ${namespace}/${claimName} to be Bound`, async () => {
    const claim = await client.get({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: claimName });
    return (claim?.status as { phase?: string } | undefined)?.phase === "Bound" || undefined;
  });
  return {
    path,
    claimName,
    write(files) {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(path, file)), { recursive: true });
        writeFileSync(join(path, file), content);
      }
    },
    async remove() {
      await client.delete({ apiVersion: "v1", kind: "PersistentVolume", name: volume });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
