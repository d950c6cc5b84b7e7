// Applier benchmark: apply 40 manifests, then change one image and apply again; wall time and API requests,
// ours against `kubectl apply` (client-side) and `kubectl apply --server-side` on the same manifests. Each
// tool gets its own namespace on a private control plane, whose request counter sees nobody else.
import type { KubeConfig } from "@kubernetes/client-node";
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
import type { RequestCounter } from "../reconcilers/client/request-counter.js";
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
    // The apiserver counts a watch only when it ends; our own counter counts requests as they are sent.
    const measure = async (step: () => Promise<unknown>, sent?: RequestCounter): Promise<Round> => {
      const count = async () => sent?.total() ?? (await requests());
      const before = await count();
      const started = performance.now();
      await step();
      const ms = Math.round(performance.now() - started);
      return { ms, requests: (await count()) - before };
    };
    const manifests = (ns: string, image: string) => {
      const objects = stackManifests(ns, 4);
      const changed = objects.find((o) => o.kind === "Deployment")!;
      (changed.spec as any).template.spec.containers[0].image = image;
      return objects;
    };

    // Ours, as an operator runs it: one process, shared informers already warm for the re-apply.
    const operator = oursInProcess(kc);
    const oursFirst = await measure(() => operator.applier.apply(manifests("ours", "nginx:1.27")), operator.counter);
    await settle();
    const oursSecond = await measure(() => operator.applier.apply(manifests("ours", "nginx:1.28")), operator.counter);
    await operator.stop();
    // Ours as a one-shot CLI would run it: a new process with an empty cache (discovery, lists, watches).
    const cli = oursInProcess(kc);
    const oursCold = await measure(() => cli.applier.apply(manifests("ours", "nginx:1.29")), cli.counter);
    await cli.stop();

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

    const title = "applier: 40 manifests (12 kinds), then one image changed; requests sent (ours) and served (kubectl, apiserver_request_total)";
    printComparison(`${title}\n(kubectl apply, client-side)`, "kubectl", [
      ["first apply: wall time (ms)", oursFirst.ms, csaFirst.ms],
      ["first apply: API requests", oursFirst.requests, csaFirst.requests],
      ["re-apply, one image changed: wall time (ms)", oursSecond.ms, csaSecond.ms],
      ["re-apply, one image changed: API requests", oursSecond.requests, csaSecond.requests],
    ]);
    printComparison("(ours from a cold start: empty cache, as a one-shot CLI)", "kubectl", [
      ["re-apply, one image changed: wall time (ms)", oursCold.ms, csaSecond.ms],
      ["re-apply, one image changed: API requests", oursCold.requests, csaSecond.requests],
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

function oursInProcess(kc: KubeConfig) {
  const client = new KubeClient(kc);
  const informers = new SharedInformers(client);
  informers.start();
  const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: { "app.kubernetes.io/managed-by": "bench" } });
  const stop = async () => {
    await informers.stop();
    client.close();
  };
  return { applier, stop, counter: client.counter };
}

// Lets watch events of the first apply reach the cache, as they would between two reconciles.
const settle = () => new Promise((r) => setTimeout(r, 500));
