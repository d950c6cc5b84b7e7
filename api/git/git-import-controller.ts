import type { GitImport, GitImportStatus } from "../../crds/types/index.js";
import { byLabel, isAlreadyExists, objectKey, toControllerOwner, updateStatus, type Controller, type GroupVersionKind, type KubeObject, type Manager, type Reconciler } from "../../reconcilers/index.js";
import { DEFAULT_GIT_IMAGE, GIT_IMPORT_UID_LABEL, gitImportPod, importStatusOf } from "./git-import-pod.js";
import { createGitPod } from "./git-pod.js";

export const GIT_IMPORT: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "GitImport" };

/**
 * Runs GitImports: one clone pod each, with the git config and SSH keys of the auth user the import names,
 * its outcome in status. A finished import keeps its status after its pod is gone. `gitImage`: the clone's image
 * when the import names none (default: this project's release's).
 */
export function addGitImportController(manager: Manager, options: { namespace?: string; gitImage?: string } = {}): Controller {
  const { client, informers, logger } = manager;
  const events = manager.eventRecorder("orchest-api");
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const imports = informers.informerFor(GIT_IMPORT, scope);
  const pods = informers.informerFor({ apiVersion: "v1", kind: "Pod" }, { ...scope, labelSelector: GIT_IMPORT_UID_LABEL });
  pods.addIndexer(GIT_IMPORT_UID_LABEL, byLabel(GIT_IMPORT_UID_LABEL));

  const reconcile: Reconciler = async (request) => {
    const gi = imports.get(objectKey(request)) as unknown as GitImport | undefined;
    if (!gi || gi.metadata?.deletionTimestamp) return;
    const previous = gi.status ?? {};
    if (previous.phase === "Succeeded" || previous.phase === "Failed") return;
    let pod = pods.byIndex(GIT_IMPORT_UID_LABEL, gi.metadata!.uid!)[0];
    if (!pod) {
      try {
        pod = await createGitPod(client, events, logger, { consumer: "git-import", ...(gi.spec.authUser ? { user: gi.spec.authUser } : {}), pod: gitImportPod(gi, options.gitImage ?? DEFAULT_GIT_IMAGE), container: "git" });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        return; // the cache is behind: the pod's own event brings this import back
      }
    }
    const outcome = importStatusOf(pod);
    const finished = outcome.phase === "Succeeded" || outcome.phase === "Failed";
    const status: GitImportStatus = {
      observedGeneration: gi.metadata?.generation,
      ...outcome,
      podName: pod.metadata.name!,
      ...(finished ? { completionTime: new Date().toISOString() } : {}),
    };
    await updateStatus(client, gi as unknown as KubeObject, { ...status });
    if (finished) await events.record(gi as unknown as KubeObject, outcome.phase === "Failed" ? "Warning" : "Normal", outcome.reason ?? "Cloned", "Clone", outcome.message ?? `cloned into ${gi.spec.userdir.path}`);
  };

  const controller = manager.addController({ name: "gitimport", reconciler: reconcile });
  controller.watch(imports);
  controller.watch(pods, { map: toControllerOwner(GIT_IMPORT) });
  return controller;
}
