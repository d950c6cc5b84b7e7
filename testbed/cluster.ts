import { KubeConfig } from "@kubernetes/client-node";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Apiserver } from "./apiserver.js";
import { ensureBinaries } from "./binaries.js";
import { Containerd, containerdVersion } from "./containerd.js";
import { startControllers } from "./controllers.js";
import { Etcd } from "./etcd.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { addSimulatedNode, startKwok, waitForNodesReady, type SimulatedNode } from "./kwok.js";
import { ensureDebianPackages } from "./packages.js";
import { installKwokLogsCrd } from "./pod-logs.js";
import { freePort } from "./ports.js";
import { Provisioner } from "./provisioner.js";
import { createPki } from "./pki.js";
import type { ManagedProcess } from "./process.js";
import { quietLog, timed, type Log } from "./progress.js";
import { Registry } from "./registry.js";
import type { TestbedState } from "./state.js";
import { versions } from "./versions.js";

export interface ClusterOptions {
  /** Simulated nodes. @default three containerd nodes, testbed-node-1..3 */
  readonly nodes?: readonly SimulatedNode[];
  /** Run kube-controller-manager, kube-scheduler and kwok, so that workloads roll out. @default true */
  readonly workloads?: boolean;
  /** Give every containerd node a real containerd. @default true */
  readonly containerd?: boolean;
  /** Run an OCI registry on loopback. @default true */
  readonly registry?: boolean;
  /** Folder for data, logs and the kubeconfig. @default a new folder under the system temp dir */
  readonly dir?: string;
  readonly log?: Log;
}

export function defaultNodes(count = 3): SimulatedNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `testbed-node-${i + 1}`, runtime: "containerd" as const }));
}

/** A disposable Kubernetes control plane on loopback, built from real components. */
export class Cluster {
  private readonly processes: ManagedProcess[] = [];
  private readonly containerds = new Map<string, Containerd>();
  private etcd?: Etcd;
  private apiserverProcess?: Apiserver;
  private registry?: Registry;
  private provisioner?: Provisioner;
  private kubeconfigPath = "";

  private constructor(readonly dir: string, private readonly log: Log, private readonly nodes: readonly SimulatedNode[]) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const log = options.log ?? quietLog;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "orchest-testbed-"));
    mkdirSync(dir, { recursive: true });
    const workloads = options.workloads ?? true;
    const nodes = workloads ? (options.nodes ?? defaultNodes()) : [];
    const cluster = new Cluster(dir, log, nodes);
    try {
      await cluster.boot(workloads, options.containerd ?? true, options.registry ?? true);
    } catch (error) {
      await cluster.stop({ keepDir: true });
      throw error;
    }
    return cluster;
  }

  private async boot(workloads: boolean, withContainerd: boolean, withRegistry: boolean): Promise<void> {
    const log = this.log;
    const needsContainerd = withContainerd && this.nodes.some((node) => node.runtime === "containerd");
    await ensureDebianPackages(versions.debian.filter((pkg) => (pkg === "containerd" ? needsContainerd : pkg === "docker-registry" ? withRegistry : true)), log);
    const bin = await ensureBinaries(log);
    const pki = await createPki(this.dir);
    this.etcd = await timed(log, "starting etcd", () => Etcd.start(bin.etcd!, this.dir));
    this.apiserverProcess = await timed(log, "starting kube-apiserver", () => Apiserver.start(bin["kube-apiserver"]!, this.dir, pki, this.etcd!.endpoint));
    this.kubeconfigPath = writeKubeconfig(join(this.dir, "kubeconfig"), this.apiserverProcess.url, pki.caCert, pki.adminToken);
    if (withRegistry) this.registry = await timed(log, "starting the registry (docker-registry)", () => Registry.start(join(this.dir, "registry")));
    if (!workloads) return;
    this.processes.push(...startControllers({ controllerManager: bin["kube-controller-manager"]!, scheduler: bin["kube-scheduler"]! }, this.dir, this.kubeconfigPath, pki));
    await installKwokLogsCrd(this.kubeConfig());
    // The apiserver's serving certificate (IP SAN 127.0.0.1) serves kwok's kubelet endpoint too.
    this.processes.push(startKwok(bin.kwok!, this.dir, this.kubeconfigPath, { port: await freePort(), certFile: pki.serverCert, keyFile: pki.serverKey }));
    this.provisioner = new Provisioner(this.kubeConfig(), this.dir);
    await this.provisioner.start();
    const version = containerdVersion();
    await timed(log, `starting ${this.nodes.length} simulated nodes`, async () => {
      for (const node of this.nodes) {
        if (node.runtime === "containerd" && needsContainerd) {
          this.containerds.set(node.name, await Containerd.start(join(this.dir, "nodes", node.name), this.registry?.host));
        }
        await addSimulatedNode(this.kubeConfig(), { runtimeVersion: node.runtime === "containerd" ? version : undefined, ...node });
      }
      await waitForNodesReady(this.kubeConfig(), this.nodes.map((node) => node.name));
    });
    await timed(log, "waiting for the controller-manager (default ServiceAccount)", () => this.waitForDefaultServiceAccount());
  }

  private async waitForDefaultServiceAccount(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const dead = this.processes.find((p) => !p.running);
      if (dead) throw dead.failure("exited");
      if ((await this.apiserver.get("/api/v1/namespaces/default/serviceaccounts/default")).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw this.processes[0]!.failure("did not create the default ServiceAccount within 60s");
  }

  get apiserver(): Apiserver {
    return this.apiserverProcess!;
  }

  get kubeconfig(): string {
    return this.kubeconfigPath;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  /** Breaks every watch: the apiserver stops and starts again on the same port. */
  restartApiserver(): Promise<void> {
    return this.apiserver.restart();
  }

  /** Compacts etcd's history so that watches resuming from an older resourceVersion get 410 Gone. */
  compactEtcd(): Promise<number> {
    return this.etcd!.compact();
  }

  containerdOf(node: string): Containerd | undefined {
    return this.containerds.get(node);
  }

  state(): TestbedState {
    return {
      dir: this.dir,
      kubeconfig: this.kubeconfigPath,
      apiserver: { url: this.apiserver.url },
      etcd: { endpoint: this.etcd!.endpoint },
      registry: this.registry && { host: this.registry.host },
      nodes: this.nodes.map((node) => {
        const containerd = this.containerds.get(node.name);
        return { name: node.name, runtime: node.runtime, containerd: containerd && { socket: containerd.socket, hostsDir: containerd.hostsDir } };
      }),
    };
  }

  writeState(): string {
    const path = join(this.dir, "testbed.json");
    writeFileSync(path, JSON.stringify(this.state(), null, 2));
    return path;
  }

  /** Stops everything this cluster started, by PID, in reverse order, and removes its folder. */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    this.provisioner?.stop();
    for (const process of [...this.processes].reverse()) await process.stop();
    await this.apiserverProcess?.stop();
    await this.etcd?.stop();
    await Promise.all([...this.containerds.values()].map((containerd) => containerd.stop()));
    await this.registry?.stop();
    if (!options.keepDir && !process.env.ORCHEST_TESTBED_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
