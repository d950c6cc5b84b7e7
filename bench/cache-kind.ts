// A process that only caches one kind, with a manager's shared informer as orchest-api and the node-agent do, and
// nothing else loaded: its RSS once synced, beside that of a process caching no object, is what the cache costs.
import { fileURLToPath } from "node:url";
import { loadKubeConfig, Manager, type GroupVersionKind } from "../reconcilers/index.js";
import { ManagedProcess, sleep } from "../testbed/process.js";
import { processUsage } from "./process-usage.js";
import { runAsScript } from "./run-as-script.js";

export interface CacheScope {
  readonly namespace?: string;
  readonly fieldSelector?: string;
}

/** Starts the process against `kubeconfig`, waits until its cache synced and then `settleMs`, reads its RSS, stops it. */
export async function cachedKindRss(kubeconfig: string, logPath: string, gvk: GroupVersionKind, scope: CacheScope, settleMs: number): Promise<{ rssBytes: number; objects: number }> {
  const child = new ManagedProcess(`cache of ${gvk.kind}`, process.execPath, [fileURLToPath(import.meta.url), JSON.stringify({ gvk, scope })], logPath, { ...process.env, KUBECONFIG: kubeconfig });
  try {
    await child.waitUntil("synced", async () => /synced \d+/.test(child.logTail(5)), 300_000);
    await sleep(settleMs);
    return { rssBytes: processUsage((pid) => pid === String(child.pid)).rssBytes, objects: Number(/synced (\d+)/.exec(child.logTail(5))![1]) };
  } finally {
    await child.stop();
  }
}

async function cacheOnly(gvk: GroupVersionKind, scope: CacheScope): Promise<void> {
  const manager = new Manager({ kubeConfig: await loadKubeConfig(), name: "bench-cache" });
  const informer = manager.informers.informerFor(gvk, scope);
  manager.informers.start();
  await informer.waitForSync();
  process.stdout.write(`synced ${informer.list().length}\n`);
  process.once("SIGTERM", () => process.exit(0));
}

runAsScript(import.meta.url, ([spec]) => {
  const { gvk, scope } = JSON.parse(spec!) as { gvk: GroupVersionKind; scope: CacheScope };
  return cacheOnly(gvk, scope);
});
