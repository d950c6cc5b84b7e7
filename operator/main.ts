#!/usr/bin/env node
// The operator process: one manager running the OrchestCluster controller, with leader election so that
// two replicas can run (only the lease holder reconciles), probes and Prometheus metrics.
import { parseArgs } from "node:util";
import { loadKubeConfig, Manager } from "../reconcilers/index.js";
import { projectImagesBeside } from "../synth/project-images.js";
import { addOrchestClusterController, DEFAULT_WORKERS } from "./reconciler.js";

const usage = `usage: orchest-operator [--leader-elect=true|false] [--lease-namespace NS] [--http-port PORT] [--http-host HOST] [--concurrent N]
  --concurrent: clusters reconciled at once (default ${DEFAULT_WORKERS}).
  /healthz, /readyz and /metrics are served on HOST:PORT (default 0.0.0.0:8080; port 0 picks a free one).
  The Lease lives in --lease-namespace (default: POD_NAMESPACE, else orchest-system).
Kubernetes access: in-cluster service account, or KUBECONFIG.`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        "leader-elect": { type: "string", default: "true" },
        "lease-namespace": { type: "string", default: process.env.POD_NAMESPACE ?? "orchest-system" },
        "http-port": { type: "string", default: "8080" },
        "http-host": { type: "string", default: "0.0.0.0" },
        concurrent: { type: "string", default: String(DEFAULT_WORKERS) },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const port = Number(values["http-port"]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--http-port: "${values["http-port"]}" is not a port. Fix: a number from 0 to 65535.`);
    if (!["true", "false"].includes(values["leader-elect"]!)) throw new Error(`--leader-elect: "${values["leader-elect"]}" must be true or false.`);
    const workers = Number(values.concurrent);
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`--concurrent: "${values.concurrent}" is not a count of workers. Fix: a whole number, 1 or more.`);
    return { leaderElect: values["leader-elect"] === "true", leaseNamespace: values["lease-namespace"]!, port, host: values["http-host"]!, workers };
  } catch (err) {
    process.stderr.write(`orchest-operator: ${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const kubeConfig = await loadKubeConfig();
  const manager = new Manager({
    kubeConfig,
    name: "orchest-operator",
    probes: { host: opts.host, port: opts.port },
    ...(opts.leaderElect ? { leaderElection: { namespace: opts.leaseNamespace } } : {}),
  });
  // The operator's own image (its Deployment says which): the api, node-agent, buildkitd and registry it deploys
  // come from the same release, as Orchest's controller deployed its own node-agent.
  const own = process.env.ORCHEST_OPERATOR_IMAGE;
  addOrchestClusterController(manager, { workers: opts.workers, ...(own ? { synth: { ownImages: projectImagesBeside(own) } } : {}) });
  manager.stopOnSignals();
  await manager.start();
}

main().catch((err: Error) => {
  process.stderr.write(`orchest-operator: ${err.message}\n`);
  process.exit(1);
});
