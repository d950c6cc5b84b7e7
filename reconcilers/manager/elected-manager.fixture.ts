// A manager in its own process for the leader-election test: it reports on stdout, one JSON per line, when
// it is ready, when it starts and stops leading, and every reconcile (with start and end times). Its
// reconciler asks to run each key again soon, so that it keeps reconciling while it leads, events or not.
import { KubeConfig } from "@kubernetes/client-node";
import { jsonLogger } from "../log.js";
import { Manager } from "./manager.js";

const [kubeconfigPath, namespace, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs] = process.argv.slice(2) as [string, string, string, string, string, string];
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const report = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, identity, at: Date.now(), ...fields }) + "\n");

const manager = new Manager({
  kubeConfig,
  name: "elected",
  leaderElection: { namespace, leaseDurationMs: Number(leaseDurationMs), renewDeadlineMs: Number(renewDeadlineMs), retryPeriodMs: Number(retryPeriodMs), identity },
  probes: { port: 0 },
  logger: jsonLogger({ level: "error" }),
});
manager
  .addController({
    name: "configmaps",
    reconciler: async ({ name }) => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      report("reconcile", { key: name, start, end: Date.now() });
      return { requeueAfter: 100 };
    },
  })
  .watch(manager.informers.informerFor({ apiVersion: "v1", kind: "ConfigMap" }, { namespace }));
await manager.start();
report("ready", { port: manager.probePort });
let led = false;
const watchLeadership = setInterval(() => {
  if (manager.isLeader() === led) return;
  led = !led;
  report(led ? "leading" : "stopped-leading");
  if (!led) clearInterval(watchLeadership);
}, 10);
process.once("SIGTERM", async () => {
  clearInterval(watchLeadership);
  await manager.stop();
  report("stopped");
  process.exit(0);
});
