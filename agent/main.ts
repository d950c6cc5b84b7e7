#!/usr/bin/env node
// The node-agent process: one per node (a DaemonSet pod), NODE_NAME from the downward API.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jsonLogger, loadKubeConfig } from "../reconcilers/index.js";
import { startAgent } from "./agent.js";
import { containerdPeerContent } from "./peer/containerd-content.js";
import { RegistryClient } from "./registry/client.js";
import { ContainerdDriver } from "./runtime/containerd-driver.js";
import { ContainerdStore } from "./runtime/containerd-store.js";
import { DockerDriver } from "./runtime/docker-driver.js";

const usage = `usage: orchest-agent --registry HOST:PORT [--node NAME] [--namespace NS]
  [--runtime containerd|docker] [--runtime-socket PATH] [--registry-plain-http] [--registry-ca FILE]
  [--hosts-dir DIR] [--peer-listen HOST:PORT] [--peer-advertise HOST:PORT] [--http-listen HOST:PORT]
  [--verify-interval SECONDS] [--max-pulls N] [--max-pulls-per-registry N] [--wave-fanout N] [--wave-timeout SECONDS]
--hosts-dir: where the runtime reads registry settings (containerd's config_path, docker's certs.d); the agent
writes the registry's CA there and, on containerd, the peers as mirrors. Peers (serving this node's images, pulling
from other nodes) need --peer-listen, on containerd. --http-listen serves /healthz, /readyz and /metrics.
Kubernetes access: in-cluster service account, or KUBECONFIG.`;

function fail(message: string): never {
  process.stderr.write(`orchest-node-agent: ${message}\n${usage}\n`);
  process.exit(2);
}

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name}: "${text}" is not a positive number`);
  return n;
}

function options() {
  const { values } = parseArgs({
    options: {
      node: { type: "string", default: process.env.NODE_NAME ?? "" },
      namespace: { type: "string", default: process.env.POD_NAMESPACE ?? "orchest" },
      runtime: { type: "string", default: "containerd" },
      "runtime-socket": { type: "string" },
      registry: { type: "string", default: process.env.ORCHEST_REGISTRY ?? "" },
      "registry-plain-http": { type: "boolean", default: false },
      "registry-ca": { type: "string", default: "" },
      "http-listen": { type: "string", default: "" },
      "peer-listen": { type: "string", default: "" },
      "peer-advertise": { type: "string" },
      "hosts-dir": { type: "string", default: "" },
      "verify-interval": { type: "string", default: "60" },
      "max-pulls": { type: "string", default: "2" },
      "max-pulls-per-registry": { type: "string", default: "2" },
      "wave-fanout": { type: "string", default: "1" },
      "wave-timeout": { type: "string", default: "60" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (!values.node) fail("no node name: set NODE_NAME (downward API spec.nodeName) or --node");
  if (!values.registry) fail("no registry: --registry HOST:PORT (the in-cluster registry)");
  if (values.runtime !== "containerd" && values.runtime !== "docker") fail(`--runtime: "${values.runtime}" is neither containerd nor docker`);
  const peerListen = /^(.+):(\d+)$/.exec(values["peer-listen"]!);
  if (values["peer-listen"] && !peerListen) fail(`--peer-listen: "${values["peer-listen"]}" is not HOST:PORT`);
  const httpListen = /^(.+):(\d+)$/.exec(values["http-listen"]!);
  if (values["http-listen"] && !httpListen) fail(`--http-listen: "${values["http-listen"]}" is not HOST:PORT`);
  let registryCa: Buffer | undefined;
  try {
    registryCa = values["registry-ca"] ? readFileSync(values["registry-ca"]) : undefined;
  } catch (error) {
    fail(`--registry-ca: cannot read ${values["registry-ca"]} (${(error as Error).message}). Fix: mount the registry's CA there, or leave the flag out.`);
  }
  if (peerListen && values.runtime !== "containerd") fail("--peer-listen: peers need containerd (its content store and hosts dir)");
  if (peerListen && !values["hosts-dir"]) fail("--peer-listen: peers need --hosts-dir, where containerd reads the mirror entry (its config_path)");
  return {
    node: values.node,
    namespace: values.namespace!,
    runtime: values.runtime,
    socket: values["runtime-socket"] ?? (values.runtime === "docker" ? "/var/run/docker.sock" : "/run/containerd/containerd.sock"),
    registryHost: values.registry,
    plainHttp: values["registry-plain-http"]!,
    registryCa,
    peerListen: peerListen && { host: peerListen[1]!.replace(/^\[|\]$/g, ""), port: Number(peerListen[2]) },
    httpListen: httpListen && { host: httpListen[1]!.replace(/^\[|\]$/g, ""), port: Number(httpListen[2]) },
    peerAdvertise: values["peer-advertise"],
    hostsDir: values["hosts-dir"]!,
    verifyEveryMs: positive("verify-interval", values["verify-interval"]) * 1000,
    maxPulls: positive("max-pulls", values["max-pulls"]),
    maxPullsPerHost: positive("max-pulls-per-registry", values["max-pulls-per-registry"]),
    waveFanout: positive("wave-fanout", values["wave-fanout"]),
    waveTimeoutMs: positive("wave-timeout", values["wave-timeout"]) * 1000,
  };
}

async function main(): Promise<void> {
  const opts = options();
  const kubeConfig = await loadKubeConfig();
  const registry = new RegistryClient({ plainHttp: (host) => opts.plainHttp && host === opts.registryHost, ...(opts.registryCa && { ca: opts.registryCa }) });
  const driver = opts.runtime === "docker" ? new DockerDriver(opts.socket) : new ContainerdDriver({ socket: opts.socket, registry });
  const store = opts.peerListen ? new ContainerdStore(opts.socket) : undefined;
  const agent = await startAgent({
    kubeConfig,
    node: opts.node,
    namespace: opts.namespace,
    driver,
    registry,
    registryHost: opts.registryHost,
    registryPlainHttp: opts.plainHttp,
    ...(opts.registryCa && { registryCa: opts.registryCa }),
    ...(opts.hostsDir && { hostsDir: opts.hostsDir }),
    ...(opts.peerListen &&
      store && {
        peers: {
          content: containerdPeerContent(store),
          listenHost: opts.peerListen.host,
          listenPort: opts.peerListen.port,
          ...(opts.peerAdvertise && { advertise: opts.peerAdvertise }),
        },
      }),
    ...(opts.httpListen && { probes: opts.httpListen }),
    verifyEveryMs: opts.verifyEveryMs,
    maxPulls: opts.maxPulls,
    maxPullsPerHost: opts.maxPullsPerHost,
    waveFanout: opts.waveFanout,
    waveTimeoutMs: opts.waveTimeoutMs,
    logger: jsonLogger({ fields: { node: opts.node } }),
  });
  agent.manager.logger.info("node-agent started", { node: opts.node, namespace: opts.namespace, peer: agent.peer?.address ?? null });
  const stop = () => {
    void agent.stop().finally(() => store?.close());
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: Error) => {
  process.stderr.write(`orchest-node-agent: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
