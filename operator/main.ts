#!/usr/bin/env node
// The operator process: one manager running the OrchestCluster controller, with leader election so that
// two replicas can run (only the lease holder reconciles), probes and Prometheus metrics.
import { KubeConfig } from "@kubernetes/client-node";
import { parseArgs } from "node:util";
import { Manager } from "../reconcilers/index.js";
import { addOrchestClusterController } from "./reconciler.js";

const usage = `usage: orchest-operator [--leader-elect=true|false] [--lease-namespace NS] [--probe-port PORT] [--probe-host HOST]
Kubernetes access: in-cluster service account, or KUBECONFIG.`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        "leader-elect": { type: "string", default: "true" },
        "lease-namespace": { type: "string", default: process.env.POD_NAMESPACE ?? "orchest-system" },
        "probe-port": { type: "string", default: "8081" },
        "probe-host": { type: "string", default: "0.0.0.0" },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const port = Number(values["probe-port"]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--probe-port: "${values["probe-port"]}" is not a port. Fix: a number from 0 to 65535.`);
    if (!["true", "false"].includes(values["leader-elect"]!)) throw new Error(`--leader-elect: "${values["leader-elect"]}" must be true or false.`);
    return { leaderElect: values["leader-elect"] === "true", leaseNamespace: values["lease-namespace"]!, port, host: values["probe-host"]! };
  } catch (err) {
    process.stderr.write(`orchest-operator: ${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const manager = new Manager({
    kubeConfig,
    name: "orchest-operator",
    probes: { host: opts.host, port: opts.port },
    ...(opts.leaderElect ? { leaderElection: { namespace: opts.leaseNamespace } } : {}),
  });
  addOrchestClusterController(manager);
  manager.stopOnSignals();
  await manager.start();
}

main().catch((err: Error) => {
  process.stderr.write(`orchest-operator: ${err.message}\n`);
  process.exit(1);
});
