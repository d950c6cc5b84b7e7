import { join } from "node:path";
import type { Pki } from "./pki.js";
import { ManagedProcess } from "./process.js";

/** kube-controller-manager and kube-scheduler: Deployments roll out and pods get bound by the real scheduler. */
export function startControllers(binaries: { controllerManager: string; scheduler: string }, dir: string, kubeconfig: string, pki: Pki): ManagedProcess[] {
  const controllerManager = new ManagedProcess("kube-controller-manager", binaries.controllerManager, [
    `--kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    "--controllers=*",
    // Simulated nodes go NotReady only when kwok stops; react within seconds instead of the default 40s + 5m.
    "--node-monitor-grace-period=20s",
    "--v=0",
  ], join(dir, "kube-controller-manager.log"));
  const scheduler = new ManagedProcess("kube-scheduler", binaries.scheduler, [
    `--kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    "--v=0",
  ], join(dir, "kube-scheduler.log"));
  return [controllerManager, scheduler];
}
