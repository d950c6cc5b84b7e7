import test from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import { FaultProxy, faultProxyUnavailable } from "../client/testing/fault-proxy.js";
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
// The manager's timings, in client-go's proportions (15 s, 10 s, 2 s) but shorter. A renewal has RENEW_DEADLINE_MS
// to get through: on a loaded machine (2 shared cores, the proxy in this busy test process) 2 s was not enough,
// and the leader stepped down before the test cut it off.
const LEASE_MS = 9_000;
const RENEW_DEADLINE_MS = 6_000;
const RETRY_MS = 1_000;

function startManager(kubeconfig: string, ns: string, identity: string, reports: Report[]): ChildProcess {
  const child = spawn(process.execPath, [FIXTURE, kubeconfig, ns, identity, String(LEASE_MS), String(RENEW_DEADLINE_MS), String(RETRY_MS)], { stdio: ["ignore", "pipe", "inherit"] });
  createInterface({ input: child.stdout! }).on("line", (line) => reports.push(JSON.parse(line) as Report));
  return child;
}

const find = (reports: Report[], identity: string, event: string) => reports.find((r) => r.identity === identity && r.event === event);
// The leader is cut off from the apiserver by a fault proxy, which needs the apiserver's address on this machine.
const withFaultProxy: typeof test.skip = faultProxyUnavailable() ? test.skip : test;

withFaultProxy("two managers: only the leader reconciles; a leader cut off from the apiserver steps down and stops reconciling before the standby takes over; shutdown releases the lease", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "leader");
  const client = new KubeClient(tb.kubeConfig);
  // Manager a reaches the apiserver through a proxy that the test turns into a black hole.
  const proxy = await FaultProxy.start(tb.kubeConfig);
  const proxied = join(mkdtempSync(join(tmpdir(), "leader-")), "kubeconfig");
  writeFileSync(proxied, proxy.kubeConfig(tb.kubeConfig).exportConfig());
  const reports: Report[] = [];
  const a = startManager(proxied, ns, "manager-a", reports);
  let b: ChildProcess | undefined;
  let writing = true;
  t.teardown(async () => {
    writing = false;
    a.kill("SIGKILL");
    b?.kill("SIGKILL");
    client.close();
    await proxy.close();
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

  // a keeps the lease for more than two lease durations only by renewing it: count its renewals in the Lease.
  const renewals = new Set<string>();
  const needed = Math.ceil((2 * LEASE_MS) / RETRY_MS);
  await waitFor(`${needed} renewals by a`, async () => {
    const lease = (await client.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: ns, name: "elected" })) as { spec?: { holderIdentity?: string; renewTime?: string } } | undefined;
    if (lease?.spec?.holderIdentity === "manager-a" && lease.spec.renewTime) renewals.add(lease.spec.renewTime);
    return renewals.size >= needed;
  }, 120_000, 100);
  t.is(find(reports, "manager-b", "leading"), undefined, "the standby does not lead while the leader renews");
  t.true(reports.some((r) => r.identity === "manager-a" && r.event === "reconcile"), "the leader reconciles");

  proxy.goSilent();
  await waitFor("a steps down on its own", () => find(reports, "manager-a", "stopped-leading") !== undefined, 30_000);
  await waitFor("b leads", () => find(reports, "manager-b", "leading") !== undefined, 60_000);
  await waitFor("b reconciles", () => reports.some((r) => r.identity === "manager-b" && r.event === "reconcile"));
  const steppedDown = find(reports, "manager-a", "stopped-leading")!.at;
  const takenOver = find(reports, "manager-b", "leading")!.at;
  t.log(`a stepped down ${steppedDown - takenOver} ms relative to b's takeover`);
  t.true(steppedDown < takenOver, "a stepped down before b took over");
  const reconciles = reports.filter((r) => r.event === "reconcile");
  const lastOfA = Math.max(...reconciles.filter((r) => r.identity === "manager-a").map((r) => r.end!));
  const firstOfB = Math.min(...reconciles.filter((r) => r.identity === "manager-b").map((r) => r.start!));
  t.true(lastOfA < firstOfB, "a's last reconcile ended before b's first began");

  const probes = `http://127.0.0.1:${find(reports, "manager-b", "ready")!.port}`;
  t.is((await fetch(`${probes}/healthz`)).status, 200);
  t.is((await fetch(`${probes}/readyz`)).status, 200, "ready: its caches synced");
  const metrics = await (await fetch(`${probes}/metrics`)).text();
  t.regex(metrics, /leader_election_master_status\{name="elected"\} 1/);
  t.regex(metrics, /controller_runtime_reconcile_total\{controller="configmaps",result="requeue_after"\} [1-9]/);
  t.regex(metrics, /workqueue_adds_total\{controller="configmaps",name="configmaps"\} [1-9]/);

  writing = false;
  await writer;
  b.kill("SIGTERM");
  await waitFor("b stopped", () => find(reports, "manager-b", "stopped") !== undefined);
  const lease = (await client.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: ns, name: "elected" })) as { spec: { holderIdentity?: string } } | undefined;
  t.falsy(lease?.spec.holderIdentity, "graceful shutdown released the lease");
});
