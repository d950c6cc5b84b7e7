import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import { waitFor } from "../testing.js";

interface Report {
  event: string;
  identity: string;
  at: number;
  start?: number;
  end?: number;
  port?: number;
}

const FIXTURE = fileURLToPath(new URL("./elected-manager.fixture.js", import.meta.url));
const LEASE_MS = 3000;

function startManager(kubeconfig: string, ns: string, identity: string, reports: Report[]): ChildProcess {
  const child = spawn(process.execPath, [FIXTURE, kubeconfig, ns, identity], { stdio: ["ignore", "pipe", "inherit"] });
  createInterface({ input: child.stdout! }).on("line", (line) => reports.push(JSON.parse(line) as Report));
  return child;
}

const find = (reports: Report[], identity: string, event: string) => reports.find((r) => r.identity === identity && r.event === event);

test("two managers: only the leader reconciles, the standby takes over within the lease duration after a kill, shutdown releases the lease", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "leader");
  const client = new KubeClient(tb.kubeConfig);
  const reports: Report[] = [];
  const a = startManager(tb.kubeconfigPath, ns, "manager-a", reports);
  let b: ChildProcess | undefined;
  let writing = true;
  t.teardown(() => {
    writing = false;
    a.kill("SIGKILL");
    b?.kill("SIGKILL");
    client.close();
  });
  await waitFor("a leads", () => find(reports, "manager-a", "leading") !== undefined);
  b = startManager(tb.kubeconfigPath, ns, "manager-b", reports);
  await waitFor("b ready", () => find(reports, "manager-b", "ready") !== undefined);

  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const name = `cm-${i % 5}`;
      await client.patch({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name }, { data: { i: String(i) } }, "merge").catch(() =>
        client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { i: String(i) } }),
      );
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  await new Promise((r) => setTimeout(r, 1500));
  t.is(find(reports, "manager-b", "leading"), undefined, "the standby does not lead while the leader renews");
  t.true(reports.some((r) => r.identity === "manager-a" && r.event === "reconcile"), "the leader reconciles");

  const killedAt = Date.now();
  a.kill("SIGKILL");
  await waitFor("b leads", () => find(reports, "manager-b", "leading") !== undefined, 10_000);
  const takeover = find(reports, "manager-b", "leading")!.at - killedAt;
  t.log(`standby took over ${takeover} ms after the leader was killed (lease ${LEASE_MS} ms)`);
  t.true(takeover <= LEASE_MS + 1000, `takeover within the lease duration plus a retry period (${takeover} ms)`);
  await waitFor("b reconciles", () => reports.some((r) => r.identity === "manager-b" && r.event === "reconcile"));

  const reconciles = reports.filter((r) => r.event === "reconcile");
  const lastOfA = Math.max(...reconciles.filter((r) => r.identity === "manager-a").map((r) => r.end!));
  const firstOfB = Math.min(...reconciles.filter((r) => r.identity === "manager-b").map((r) => r.start!));
  t.true(firstOfB > lastOfA && firstOfB >= killedAt, "no reconcile of the standby overlaps the leader's");

  const probes = `http://127.0.0.1:${find(reports, "manager-b", "ready")!.port}`;
  t.is((await fetch(`${probes}/healthz`)).status, 200);
  t.is((await fetch(`${probes}/readyz`)).status, 200, "ready: its caches synced");
  const metrics = await (await fetch(`${probes}/metrics`)).text();
  t.regex(metrics, /leader_election_master_status\{name="elected"\} 1/);
  t.regex(metrics, /controller_runtime_reconcile_total\{controller="configmaps",result="success"\} [1-9]/);
  t.regex(metrics, /workqueue_adds_total\{controller="configmaps",name="configmaps"\} [1-9]/);

  writing = false;
  await writer;
  b.kill("SIGTERM");
  await waitFor("b stopped", () => find(reports, "manager-b", "stopped") !== undefined);
  const lease = (await client.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: ns, name: "elected" })) as { spec: { holderIdentity?: string } } | undefined;
  t.falsy(lease?.spec.holderIdentity, "graceful shutdown released the lease");
});
