import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import { silentLogger } from "../log.js";
import { waitFor } from "../testing.js";
import { Manager, type ManagerOptions } from "./manager.js";

// A kind no cluster serves: a cache of it never syncs, as with a missing CRD or RBAC.
const MISSING = { apiVersion: "nothing.example.com/v1", kind: "Nothing" };
const LEASE = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

const testbed = useTestbed();
const namespace = testbed.then((tb) => createTestNamespace(tb.kubeConfig, "manager"));

async function electedManager(identity: string, leaseName: string, options: Partial<ManagerOptions> = {}): Promise<Manager> {
  const tb = await testbed;
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: leaseName, leaderElection: { namespace: await namespace, identity, ...LEASE }, logger: silentLogger, ...options });
  manager.addController({ name: "waits-forever", reconciler: async () => {} }).watch(manager.informers.informerFor(MISSING));
  return manager;
}

async function renewTimes(client: KubeClient, leaseName: string, holder: string, seen: Set<string>): Promise<number> {
  const lease = (await client.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: await namespace, name: leaseName })) as { spec?: { holderIdentity?: string; renewTime?: string } } | undefined;
  if (lease?.spec?.holderIdentity === holder && lease.spec.renewTime) seen.add(lease.spec.renewTime);
  return seen.size;
}

test.serial("a leader renews its lease from the moment it acquires it, while its caches are still syncing; the standby never leads", async (t) => {
  const tb = await testbed;
  const client = new KubeClient(tb.kubeConfig);
  const a = await electedManager("a", "renews-early");
  const b = await electedManager("b", "renews-early");
  t.teardown(async () => {
    // Bounded, so that a manager that cannot stop fails the next test rather than hangs this one.
    await Promise.race([Promise.all([a.stop(), b.stop()]), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    client.close();
  });
  await a.start();
  await waitFor("a leads", () => a.isLeader());
  await b.start();
  let standbyLed = false;
  const seen = new Set<string>();
  // Renewals spanning more than two lease durations: a lease that is not renewed expires within one.
  const needed = Math.ceil((2 * LEASE.leaseDurationMs) / LEASE.retryPeriodMs);
  await waitFor(`${needed} renewals by a`, async () => {
    standbyLed ||= b.isLeader();
    return (await renewTimes(client, "renews-early", "a", seen)) >= needed;
  }, 60_000, 100);
  t.false(standbyLed, "the standby never led");
  t.true(a.isLeader());
});

test.serial("stopping an elected manager whose caches never sync finishes", async (t) => {
  const manager = await electedManager("alone", "stops");
  await manager.start();
  await waitFor("it leads", () => manager.isLeader());
  // Only to turn a deadlock into a failure.
  const outcome = await Promise.race([manager.stop().then(() => "stopped"), new Promise((resolve) => setTimeout(resolve, 60_000, "deadlocked"))]);
  t.is(outcome, "stopped");
});

test.serial("a controller whose caches do not sync within the cache-sync timeout fails start, naming the kind and the fix", async (t) => {
  const tb = await testbed;
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: "sync-timeout", logger: silentLogger, cacheSyncTimeoutMs: 1000 });
  manager.addController({ name: "waits", reconciler: async () => {} }).watch(manager.informers.informerFor(MISSING));
  t.teardown(() => manager.stop());
  const outcome = await Promise.race([manager.start().then(() => "started", (err: Error) => err.message), new Promise((resolve) => setTimeout(resolve, 60_000, "hung"))]);
  t.regex(String(outcome), /controller waits: the caches of Nothing \(nothing\.example\.com\/v1\) did not sync within 1000 ms\. Fix: .*CRDs/);
});

test.serial("stopping finishes after the graceful shutdown timeout while a reconcile never returns", async (t) => {
  const tb = await testbed;
  const ns = await namespace;
  const client = new KubeClient(tb.kubeConfig);
  t.teardown(() => client.close());
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "stuck", namespace: ns } });
  const manager = new Manager({ kubeConfig: tb.kubeConfig, name: "stuck", logger: silentLogger, gracefulShutdownTimeoutMs: 500 });
  let started = false;
  manager
    .addController({ name: "stuck", reconciler: () => ((started = true), new Promise<void>(() => {})) })
    .watch(manager.informers.informerFor({ apiVersion: "v1", kind: "ConfigMap" }, { namespace: ns }));
  await manager.start();
  await waitFor("the reconcile to hang", () => started);
  // Only to turn a hang into a failure; the manager gives the reconcile 500 ms.
  const outcome = await Promise.race([manager.stop().then(() => "stopped"), new Promise((resolve) => setTimeout(resolve, 60_000, "hung"))]);
  t.is(outcome, "stopped");
});
