// Applier benchmark: apply 40 manifests, then change one image and apply again; wall time and API requests,
// ours against `kubectl apply` (client-side) and `kubectl apply --server-side` on the same manifests. Each
// tool gets its own namespace on a private control plane, whose request counter sees nobody else.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { Applier } from "../reconcilers/apply/applier.js";
import { cacheReader } from "../reconcilers/apply/live.js";
import { SharedInformers } from "../reconcilers/cache/shared-informers.js";
import { KubeClient } from "../reconcilers/client/client.js";
import type { KubeObject } from "../reconcilers/client/object.js";
import { apiserverRequests, printComparison, stackManifests } from "../reconcilers/testing.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { apiserverGet, startControlPlane } from "../testbed/index.js";
import { quietLog } from "../testbed/progress.js";

interface Round {
  ms: number;
  requests: number;
}

export async function run(): Promise<void> {
  const kubectl = (await ensureBinaries(quietLog)).kubectl!;
  const cp = await startControlPlane();
  const dir = mkdtempSync(join(tmpdir(), "bench-applier-"));
  try {
    const kc = cp.kubeConfig();
    // Every request the apiserver served, except its own lease renewals (the only other client here).
    const requests = async () => apiserverRequests(await apiserverGet(kc, "/metrics"), (l) => l.resource !== "leases");
    const measure = async (step: () => Promise<unknown>): Promise<Round> => {
      const before = await requests();
      const started = performance.now();
      await step();
      const ms = Math.round(performance.now() - started);
      return { ms, requests: (await requests()) - before };
    };
    const manifests = (ns: string, image: string) => {
      const objects = stackManifests(ns, 4);
      const changed = objects.find((o) => o.kind === "Deployment")!;
      (changed.spec as any).template.spec.containers[0].image = image;
      return objects;
    };

    // Ours, as an operator runs it: one process, shared informers already warm for the re-apply.
    const client = new KubeClient(kc);
    const informers = new SharedInformers(client);
    informers.start();
    const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: { "app.kubernetes.io/managed-by": "bench" } });
    const oursFirst = await measure(() => applier.apply(manifests("ours", "nginx:1.27")));
    await settle();
    const oursSecond = await measure(() => applier.apply(manifests("ours", "nginx:1.28")));
    await informers.stop();
    client.close();

    const kubectlRound = async (ns: string, image: string, flags: string[]) => {
      const file = join(dir, `${ns}-${image.replace(/\W/g, "_")}.yaml`);
      writeFileSync(file, manifests(ns, image).map((o: KubeObject) => stringify(o)).join("---\n"));
      return measure(async () => execFileSync(kubectl, ["--kubeconfig", cp.kubeconfig, "apply", ...flags, "-f", file], { stdio: "pipe" }));
    };
    const csaFirst = await kubectlRound("csa", "nginx:1.27", []);
    const csaSecond = await kubectlRound("csa", "nginx:1.28", []);
    const ssaFlags = ["--server-side", "--field-manager", "bench"];
    const ssaFirst = await kubectlRound("ssa", "nginx:1.27", ssaFlags);
    const ssaSecond = await kubectlRound("ssa", "nginx:1.28", ssaFlags);

    const title = "applier: 40 manifests (12 kinds), then one image changed; requests counted by the apiserver";
    printComparison(`${title}\n(kubectl apply, client-side)`, "kubectl", [
      ["first apply: wall time (ms)", oursFirst.ms, csaFirst.ms],
      ["first apply: API requests", oursFirst.requests, csaFirst.requests],
      ["re-apply, one image changed: wall time (ms)", oursSecond.ms, csaSecond.ms],
      ["re-apply, one image changed: API requests", oursSecond.requests, csaSecond.requests],
    ]);
    printComparison("(kubectl apply --server-side)", "kubectl SSA", [
      ["first apply: wall time (ms)", oursFirst.ms, ssaFirst.ms],
      ["first apply: API requests", oursFirst.requests, ssaFirst.requests],
      ["re-apply, one image changed: wall time (ms)", oursSecond.ms, ssaSecond.ms],
      ["re-apply, one image changed: API requests", oursSecond.requests, ssaSecond.requests],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cp.stop();
  }
}

// Lets watch events of the first apply reach the cache, as they would between two reconciles.
const settle = () => new Promise((r) => setTimeout(r, 500));
