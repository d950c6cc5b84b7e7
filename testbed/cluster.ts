import { KubeConfig } from "@kubernetes/client-node";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Apiserver } from "./apiserver.js";
import { buildImages, pushImages } from "../images/build.js";
import { ensureBinaries, type Binaries } from "./binaries.js";
import { Containerd, containerdVersion } from "./containerd.js";
import { startControllers } from "./controllers.js";
import { Etcd } from "./etcd.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { addSimulatedNode, startKwok, waitForNodesReady, type SimulatedNode } from "./kwok.js";
import { ensureDebianPackages } from "./packages.js";
import { installKwokLogsCrd } from "./pod-logs.js";
import { freePort } from "./ports.js";
import { Provisioner } from "./provisioner.js";
import { MAX_REAL_NODES, NodeNetwork } from "./node-network.js";
import { createPki, type Pki } from "./pki.js";
import type { ManagedProcess } from "./process.js";
import { quietLog, timed, type Log } from "./progress.js";
import { raiseInotifyLimits, REAL_NODE_LABEL, RealNode, type RealRuntime } from "./real-node.js";
import { Registry } from "./registry.js";
import type { TestbedState } from "./state.js";
import { versions } from "./versions.js";

/** A node whose pods really run: a kubelet with containerd, or with dockerd behind cri-dockerd. */
export interface RealNodeSpec {
  readonly name: string;
  readonly runtime: RealRuntime;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The taint of real nodes in a cluster that also has simulated ones (ClusterOptions.taintRealNodes). */
export const REAL_NODE_TAINT = { key: REAL_NODE_LABEL, value: "true", effect: "NoSchedule" } as const;

export interface ClusterOptions {
  /** Simulated nodes (kwok). @default three containerd nodes, testbed-node-1..3, unless realNodes are given */
  readonly nodes?: readonly SimulatedNode[];
  /** Real nodes, each in its own network and mount namespaces. @default none */
  readonly realNodes?: readonly RealNodeSpec[];
  /**
   * Taint the real nodes (REAL_NODE_TAINT) so that only pods that tolerate it land there, and workloads meant
   * for simulated nodes (whose images exist nowhere) never try to run. @default true when there are both kinds
   */
  readonly taintRealNodes?: boolean;
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
  private readonly realNodes = new Map<string, RealNode>();
  private network?: NodeNetwork;
  private pushedImages = new Map<string, string>();
  private etcd?: Etcd;
  private apiserverProcess?: Apiserver;
  private registry?: Registry;
  private provisioner?: Provisioner;
  private kubeconfigPath = "";

  private constructor(
    readonly dir: string,
    private readonly log: Log,
    private readonly nodes: readonly SimulatedNode[],
    private readonly realNodeSpecs: readonly RealNodeSpec[],
    private readonly taintRealNodes: boolean,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const log = options.log ?? quietLog;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "orchest-testbed-"));
    mkdirSync(dir, { recursive: true });
    const workloads = options.workloads ?? true;
    const realNodes = workloads ? (options.realNodes ?? []) : [];
    const nodes = workloads ? (options.nodes ?? (realNodes.length > 0 ? [] : defaultNodes())) : [];
    if (realNodes.length > MAX_REAL_NODES) throw new Error(`realNodes: ${realNodes.length} nodes, at most ${MAX_REAL_NODES}. Fix: ask for fewer, or add simulated nodes for scale.`);
    if (realNodes.length > 0 && process.getuid?.() !== 0) {
      throw new Error("realNodes: real nodes need root (network namespaces, mounts, cgroups). Fix: run as root, or ask for simulated nodes only.");
    }
    const cluster = new Cluster(dir, log, nodes, realNodes, options.taintRealNodes ?? (nodes.length > 0 && realNodes.length > 0));
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
    const real = this.realNodeSpecs.length > 0;
    const needsContainerd = real || (withContainerd && this.nodes.some((node) => node.runtime === "containerd"));
    await ensureDebianPackages(versions.debian.filter((pkg) => (pkg === "containerd" ? needsContainerd : pkg === "docker-registry" ? withRegistry || real : true)), log);
    const bin = await ensureBinaries(log);
    if (real) {
      for (const change of raiseInotifyLimits()) log(`raised ${change} (kubelets need more than the default)`);
      this.network = await timed(log, "creating the real nodes' network", () => NodeNetwork.create(this.dir));
    }
    const network = this.network;
    const pki = await createPki(this.dir, network ? [`IP:${network.hostIp}`, `IP:${network.kubernetesServiceIp}`] : []);
    this.etcd = await timed(log, "starting etcd", () => Etcd.start(bin.etcd!, this.dir));
    this.apiserverProcess = await timed(log, "starting kube-apiserver", () =>
      Apiserver.start(bin["kube-apiserver"]!, this.dir, pki, this.etcd!.endpoint, network && { hostIp: network.hostIp, serviceCidr: network.serviceCidr }),
    );
    this.kubeconfigPath = writeKubeconfig(join(this.dir, "kubeconfig"), this.apiserverProcess.url, pki.caCert, pki.adminToken);
    if (withRegistry || real) this.registry = await timed(log, "starting the registry (docker-registry)", () => Registry.start(join(this.dir, "registry"), network?.hostIp));
    if (!workloads) return;
    this.processes.push(...startControllers({ controllerManager: bin["kube-controller-manager"]!, scheduler: bin["kube-scheduler"]! }, this.dir, this.kubeconfigPath, pki));
    await installKwokLogsCrd(this.kubeConfig());
    // The apiserver's serving certificate (IP SAN 127.0.0.1) serves kwok's kubelet endpoint too.
    this.processes.push(startKwok(bin.kwok!, this.dir, this.kubeconfigPath, { port: await freePort(), certFile: pki.serverCert, keyFile: pki.serverKey }));
    this.provisioner = new Provisioner(this.kubeConfig(), this.dir);
    await this.provisioner.start();
    const version = containerdVersion();
    if (this.nodes.length > 0) {
      await timed(log, `starting ${this.nodes.length} simulated nodes`, async () => {
        for (const node of this.nodes) {
          if (node.runtime === "containerd" && withContainerd) {
            this.containerds.set(node.name, await Containerd.forSimulatedNode(join(this.dir, "nodes", node.name), this.registry?.host));
          }
          await addSimulatedNode(this.kubeConfig(), { runtimeVersion: node.runtime === "containerd" ? version : undefined, ...node });
        }
        await waitForNodesReady(this.kubeConfig(), this.nodes.map((node) => node.name));
      });
    }
    if (network) await this.startRealNodes(network, bin, pki);
    await timed(log, "waiting for the controller-manager (default ServiceAccount)", () => this.waitForDefaultServiceAccount());
  }

  /** Pushes the project's images to the registry (the kubelets pull the pause image from there), then boots the nodes. */
  private async startRealNodes(network: NodeNetwork, bin: Binaries, pki: Pki): Promise<void> {
    const log = this.log;
    const prefix = `${this.registry!.host}/orchest-gitops`;
    const images = await buildImages({ prefix, log, outDir: join(this.dir, "images") });
    this.pushedImages = await timed(log, `pushing ${images.length} images to ${prefix}`, () => pushImages(images, prefix, { plainHttp: true, log }));
    await timed(log, `starting ${this.realNodeSpecs.length} real nodes (${this.realNodeSpecs.map((n) => n.runtime).join(", ")})`, () =>
      Promise.all(
        this.realNodeSpecs.map(async (spec, i) => {
          const node = await RealNode.start(
            {
              ...spec,
              network,
              address: await network.addNode(i + 1),
              dir: join(this.dir, "nodes", spec.name),
              binaries: bin,
              pki,
              apiserverUrl: this.apiserver.url,
              registryHost: this.registry!.host,
              pauseImage: this.pushedImages.get("pause")!,
              taints: this.taintRealNodes ? [REAL_NODE_TAINT] : [],
            },
            this.kubeConfig(),
          );
          this.realNodes.set(spec.name, node);
        }),
      ),
    );
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

  /** The real containerd behind a node: a simulated node's own, or a real containerd node's runtime. */
  containerdOf(node: string): Containerd | undefined {
    const real = this.realNodes.get(node);
    return real ? (real.runtime === "containerd" ? real.containerd : undefined) : this.containerds.get(node);
  }

  realNode(name: string): RealNode | undefined {
    return this.realNodes.get(name);
  }

  state(): TestbedState {
    return {
      dir: this.dir,
      kubeconfig: this.kubeconfigPath,
      apiserver: { url: this.apiserver.url },
      etcd: { endpoint: this.etcd!.endpoint },
      registry: this.registry && { host: this.registry.host },
      images: Object.fromEntries(this.pushedImages),
      nodes: [
        ...this.nodes.map((node) => ({ name: node.name, runtime: node.runtime, real: false })),
        ...[...this.realNodes.values()].map((node) => ({ name: node.name, runtime: node.runtime, real: true, ip: node.ip, dockerSocket: node.dockerSocket, cgroup: node.cgroup })),
      ].map((node) => {
        const containerd = this.containerdOf(node.name);
        return { ...node, containerd: containerd && { socket: containerd.socket, hostsDir: containerd.hostsDir } };
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
    await Promise.all([...this.realNodes.values()].map((node) => node.stop()));
    await this.network?.remove();
    await this.registry?.stop();
    if (!options.keepDir && !process.env.ORCHEST_TESTBED_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
