// A real node: a kubelet that runs pods, its container runtime (containerd with CRI, or dockerd behind
// cri-dockerd), CNI (Debian's bridge and host-local plugins) and kube-proxy, all in the node's own network and
// mount namespaces, like one of kind's node containers. The mount namespace gives the node the standard paths
// (/run/containerd/containerd.sock, /var/lib/kubelet, /var/log/pods, ...) backed by folders of its own, so hostPath
// manifests written for any cluster work unchanged, and whatever the node mounts vanishes with it.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { Binaries } from "./binaries.js";
import { run } from "./command.js";
import { Containerd, criObjectIds } from "./containerd.js";
import { eventually } from "./eventually.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { cgroupUsage, cleanupCgroups, cleanupContainerCgroups, createCgroup, joinCgroupScript } from "./node-cgroups.js";
import type { NodeAddress, NodeNetwork } from "./node-network.js";
import { issueCertificate, type Pki } from "./pki.js";
import { ManagedProcess } from "./process.js";

/** The node's containerd root, in the node's own filesystem. */
const CONTAINERD_ROOT = "/var/lib/containerd";

/**
 * The containers and pod sandboxes the containerd nodes of a cluster folder made, by their nodes' containerd roots:
 * what a killed run left at /k8s.io/<id> (see cleanupContainerCgroups).
 */
export function containerIdsIn(clusterDir: string): string[] {
  const nodes = join(clusterDir, "nodes");
  if (!existsSync(nodes)) return [];
  return readdirSync(nodes).flatMap((node) => criObjectIds(join(nodes, node, "fs", CONTAINERD_ROOT)));
}

export type RealRuntime = "containerd" | "docker";

/** Label of the test bed's real nodes; tests that want a pod to really run select it. */
export const REAL_NODE_LABEL = "testbed.orchest.io/real";

/** Folders of the node's own filesystem, bind-mounted over the host's in its mount namespace. */
const NODE_FOLDERS = ["/run", "/var/lib", "/var/log", "/etc/cni", "/etc/containerd", "/etc/docker"] as const;
const CNI_BIN = "/usr/lib/cni";
/** dockerd's runtime here: runc behind an oom_score_adj clamp (see runc-oom-clamp.ts). */
const runcOomClamp = fileURLToPath(new URL("./runc-oom-clamp.js", import.meta.url));

export interface RealNodeOptions {
  readonly name: string;
  readonly runtime: RealRuntime;
  readonly network: NodeNetwork;
  readonly address: NodeAddress;
  /** The node's folder on the host. */
  readonly dir: string;
  readonly binaries: Binaries;
  readonly pki: Pki;
  /** The apiserver as the node reaches it (on the network's host address). */
  readonly apiserverUrl: string;
  /** The test bed's registry (host:port), trusted over plain HTTP. */
  readonly registryHost: string;
  /** The pod sandbox image, from that registry. */
  readonly pauseImage: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Registered with these taints, e.g. so that only pods that ask for real nodes land there. */
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule" }[];
}

/**
 * Every kubelet, containerd and cAdvisor holds inotify instances, and the kernel's default of 128 per user is
 * used up by a few real nodes ("Failed to start cAdvisor: inotify_init: too many open files"): raised, never
 * lowered, as kind asks its users to do. Returns what was changed.
 */
export function raiseInotifyLimits(): string[] {
  const wanted = { max_user_instances: 8192, max_user_watches: 524288 };
  const changed: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    const file = `/proc/sys/fs/inotify/${name}`;
    const current = Number(readFileSync(file, "utf8").trim());
    if (current >= value) continue;
    writeFileSync(file, String(value));
    changed.push(`fs.inotify.${name} ${current} → ${value}`);
  }
  return changed;
}

export class RealNode {
  private holder?: ManagedProcess;
  private readonly daemons: ManagedProcess[] = [];
  private containerdDaemon?: Containerd;

  private constructor(private readonly options: RealNodeOptions) {}

  get name(): string {
    return this.options.name;
  }

  get runtime(): RealRuntime {
    return this.options.runtime;
  }

  get ip(): string {
    return this.options.address.ip;
  }

  /** The node's cgroup: every process of the node, daemons and pods, runs at or below it. */
  get cgroup(): string {
    return join(this.options.network.cgroup, `node-${this.options.address.index}`);
  }

  /** Where a path of the node's own filesystem is on the host, e.g. /run/containerd/containerd.sock. */
  hostPath(nodePath: string): string {
    const folder = NODE_FOLDERS.find((f) => nodePath === f || nodePath.startsWith(`${f}/`));
    if (!folder) throw new Error(`${nodePath} is not in the node's own filesystem (${NODE_FOLDERS.join(", ")}): it is the host's`);
    return join(this.options.dir, "fs", nodePath);
  }

  /** The node's containerd: the runtime of a containerd node, and docker's own on a docker node. */
  get containerd(): Containerd {
    return this.containerdDaemon!;
  }

  /** dockerd's socket on the host (docker nodes). */
  get dockerSocket(): string | undefined {
    return this.options.runtime === "docker" ? this.hostPath("/run/docker.sock") : undefined;
  }

  static async start(options: RealNodeOptions, kc: KubeConfig): Promise<RealNode> {
    const node = new RealNode(options);
    try {
      await node.boot(kc);
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  /** What runs a command inside the node: into the node's cgroup (system/, beside the pods), then its namespaces. */
  private wrapper(): string[] {
    return ["sh", "-c", `${joinCgroupScript(join(this.cgroup, "system"))}; exec nsenter --target=${this.holder!.pid} --mount --net -- "$@"`, "sh"];
  }

  private spawn(name: string, command: string, args: readonly string[]): ManagedProcess {
    const daemon = new ManagedProcess(`${name} (node ${this.name})`, command, args, join(this.options.dir, `${name}.log`), process.env, this.wrapper());
    this.daemons.push(daemon);
    return daemon;
  }

  private async boot(kc: KubeConfig): Promise<void> {
    const { dir, runtime } = this.options;
    mkdirSync(dir, { recursive: true });
    for (const sub of ["system", "pods"]) createCgroup(join(this.cgroup, sub));
    await this.startHolder();
    await this.writeCni();
    const layout = (socket: string) => ({
      root: CONTAINERD_ROOT,
      state: "/run/containerd",
      socket,
      hostsDir: "/etc/containerd/certs.d",
      hostSocket: this.hostPath(socket),
      hostHostsDir: this.hostPath("/etc/containerd/certs.d"),
      configFile: join(dir, "containerd.toml"),
      logFile: join(dir, "containerd.log"),
    });
    this.containerdDaemon = await Containerd.start({
      layout: layout("/run/containerd/containerd.sock"),
      registryHost: this.options.registryHost,
      cri: runtime === "containerd" ? { sandboxImage: this.options.pauseImage, cni: { binDir: CNI_BIN, confDir: "/etc/cni/net.d" } } : false,
      wrapper: this.wrapper(),
    });
    const criSocket = runtime === "containerd" ? "/run/containerd/containerd.sock" : await this.startDocker();
    const pki = await this.issueCertificates();
    const kubelet = this.spawn("kubelet", this.options.binaries.kubelet!, [
      `--config=${this.writeKubeletConfig(criSocket, pki.serving)}`,
      `--kubeconfig=${writeKubeconfig(join(dir, "kubelet.kubeconfig"), this.options.apiserverUrl, this.options.pki.caCert, { cert: pki.kubelet.cert, key: pki.kubelet.key })}`,
      `--hostname-override=${this.name}`,
      `--node-ip=${this.ip}`,
      `--node-labels=${Object.entries({ [REAL_NODE_LABEL]: "true", ...this.options.labels }).map(([k, v]) => `${k}=${v}`).join(",")}`,
      "--v=1",
    ]);
    const proxy = this.spawn("kube-proxy", this.options.binaries["kube-proxy"]!, [`--config=${this.writeProxyConfig(pki.proxy)}`, "--v=1"]);
    // Five minutes: at load 20-30 on 2 cores a kubelet registered after 28 s and was still not Ready 90 s later.
    let notReady = "not registered";
    await eventually(`node ${this.name} to register Ready`, async () => {
      for (const daemon of [kubelet, proxy]) if (!daemon.running) throw daemon.failure("exited");
      const got = await kc.makeApiClient(CoreV1Api).readNode({ name: this.name });
      const ready = got.status?.conditions?.find((c) => c.type === "Ready");
      notReady = ready ? `Ready=${ready.status} (${ready.reason ?? "no reason"}: ${ready.message ?? ""})` : "no Ready condition yet";
      return ready?.status === "True";
    }, 300_000, 250).catch((error: Error) => {
      throw kubelet.running ? kubelet.failure(`did not become Ready, last seen ${notReady}: ${error.message}`) : error;
    });
    // kubeadm records the CRI socket on the node; so does the test bed, for whoever needs the runtime's path.
    await kc.makeApiClient(CoreV1Api).patchNode({
      name: this.name,
      body: [{ op: "add", path: "/metadata/annotations/kubeadm.alpha.kubernetes.io~1cri-socket", value: `unix://${criSocket}` }],
    });
    await eventually(`kube-proxy on ${this.name} to program the Services`, async () => {
      if (!proxy.running) throw proxy.failure("exited");
      await this.exec("iptables", "-t", "nat", "-n", "-L", "KUBE-SERVICES");
      return true;
    }, 60_000, 250);
  }

  /**
   * The process whose namespaces the node is: it enters the node's network namespace, makes a mount namespace
   * where the node's folders cover the host's, and sleeps. Everything of the node joins it with nsenter.
   */
  private async startHolder(): Promise<void> {
    const { dir, address } = this.options;
    const binds = NODE_FOLDERS.map((folder) => {
      const source = join(dir, "fs", folder);
      mkdirSync(source, { recursive: true });
      // rshared inside the node: pods' Bidirectional mounts (buildkitd's) propagate within it, never to the host.
      return `mkdir -p ${folder} && mount --bind ${source} ${folder} && mount --make-rshared ${folder}`;
    });
    const script = join(dir, "holder.sh");
    writeFileSync(script, ["set -e", ...binds, "touch /run/testbed-node-ready", "exec sleep infinity", ""].join("\n"));
    const joinCgroup = joinCgroupScript(join(this.cgroup, "system"));
    const enter = `exec nsenter --net=${address.netnsPath} -- unshare --mount --propagation private -- sh ${script}`;
    this.holder = new ManagedProcess(`holder (node ${this.name})`, "sh", ["-c", `${joinCgroup}; ${enter}`], join(dir, "holder.log"));
    await this.holder.waitUntil("holding the node's namespaces", async () => existsSync(join(dir, "fs", "run", "testbed-node-ready")), 10_000);
  }

  /** Runs a command inside the node (its namespaces), e.g. iptables or ctr. */
  exec(command: string, ...args: string[]): Promise<string> {
    return run("nsenter", [`--target=${this.holder!.pid}`, "--mount", "--net", "--", command, ...args]);
  }

  private async writeCni(): Promise<void> {
    const conf = {
      cniVersion: "0.4.0",
      name: "testbed",
      plugins: [
        {
          type: "bridge",
          bridge: "cni0",
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: "host-local", ranges: [[{ subnet: this.options.address.podCidr }]], routes: [{ dst: "0.0.0.0/0" }] },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    };
    mkdirSync(this.hostPath("/etc/cni/net.d"), { recursive: true });
    writeFileSync(join(this.hostPath("/etc/cni/net.d"), "10-testbed.conflist"), JSON.stringify(conf, null, 2));
  }

  /** dockerd on the node's containerd, and cri-dockerd in front of it for the kubelet; returns the CRI socket. */
  private async startDocker(): Promise<string> {
    const { dir } = this.options;
    const runtime = join(dir, "runc-oom-clamp");
    writeFileSync(runtime, `#!/bin/sh\nexec ${process.execPath} ${runcOomClamp} "$@"\n`, { mode: 0o755 });
    const dockerd = this.spawn("dockerd", "dockerd", [
      "--containerd=/run/containerd/containerd.sock",
      "--data-root=/var/lib/docker",
      "--exec-root=/run/docker",
      "--host=unix:///run/docker.sock",
      "--pidfile=/run/docker.pid",
      "--config-file=/etc/docker/daemon.json",
      // Pods get their network from CNI through cri-dockerd; docker itself touches neither iptables nor bridges.
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
      "--bridge=none",
      "--exec-opt=native.cgroupdriver=cgroupfs",
      `--add-runtime=testbed-runc=${runtime}`,
      "--default-runtime=testbed-runc",
      `--cgroup-parent=${join(this.cgroup, "pods")}`,
      // The test bed's registry speaks plain HTTP; every other registry (the platform's own) is verified.
      `--insecure-registry=${this.options.registryHost}`,
      "--storage-driver=overlay2",
      "--log-level=warn",
    ]);
    writeFileSync(this.hostPath("/etc/docker/daemon.json"), "{}\n");
    await dockerd.waitUntil("answering /_ping", () => ping(this.dockerSocket!), 60_000);
    const criSocket = "/run/cri-dockerd.sock";
    const criDockerd = this.spawn("cri-dockerd", this.options.binaries["cri-dockerd"]!, [
      `--container-runtime-endpoint=unix://${criSocket}`,
      "--docker-endpoint=unix:///run/docker.sock",
      "--network-plugin=cni",
      `--cni-bin-dir=${CNI_BIN}`,
      "--cni-conf-dir=/etc/cni/net.d",
      "--cni-cache-dir=/var/lib/cni/cache",
      `--pod-infra-container-image=${this.options.pauseImage}`,
      "--hairpin-mode=hairpin-veth",
      "--streaming-bind-addr=127.0.0.1:0",
      "--log-level=warn",
    ]);
    await criDockerd.waitUntil("serving its CRI socket", async () => existsSync(this.hostPath(criSocket)), 30_000);
    return criSocket;
  }

  private async issueCertificates() {
    const { dir, pki, name } = this.options;
    const certs = join(dir, "pki");
    mkdirSync(certs, { recursive: true });
    return {
      kubelet: await issueCertificate(pki, certs, { name: "kubelet-client", subject: `/CN=system:node:${name}/O=system:nodes`, usage: "clientAuth" }),
      serving: await issueCertificate(pki, certs, { name: "kubelet-serving", subject: `/CN=${name}`, usage: "serverAuth", altNames: [`IP:${this.ip}`, `DNS:${name}`] }),
      proxy: await issueCertificate(pki, certs, { name: "kube-proxy", subject: "/CN=system:kube-proxy", usage: "clientAuth" }),
    };
  }

  private writeKubeletConfig(criSocket: string, serving: { cert: string; key: string }): string {
    const { dir, pki, taints } = this.options;
    const resolvConf = join(dir, "resolv.conf");
    // No cluster DNS and no upstream: pods resolve nothing, and nothing they look up leaves the machine.
    writeFileSync(resolvConf, "");
    const config = {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: this.ip,
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: "127.0.0.1",
      healthzPort: 10248,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki.caCert } },
      authorization: { mode: "Webhook" },
      tlsCertFile: serving.cert,
      tlsPrivateKeyFile: serving.key,
      containerRuntimeEndpoint: `unix://${criSocket}`,
      // cgroup v1 here, no systemd: the kubelet puts every pod at cgroupRoot, below the node's own cgroup.
      failCgroupV1: false,
      cgroupDriver: "cgroupfs",
      cgroupsPerQOS: false,
      enforceNodeAllocatable: [],
      cgroupRoot: join(this.cgroup, "pods"),
      podLogsDir: "/var/log/pods",
      resolvConf,
      clusterDomain: "cluster.local",
      failSwapOn: false,
      // The disk is shared with everything else on the machine: evict only when it is really full.
      evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.available": "1%" },
      serializeImagePulls: false,
      registerWithTaints: taints ?? [],
      maxPods: 110,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      localStorageCapacityIsolation: true,
    };
    const path = join(dir, "kubelet.yaml");
    writeFileSync(path, stringify(config));
    return path;
  }

  private writeProxyConfig(client: { cert: string; key: string }): string {
    const { dir, pki, apiserverUrl, network } = this.options;
    const config = {
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      clientConnection: { kubeconfig: writeKubeconfig(join(dir, "kube-proxy.kubeconfig"), apiserverUrl, pki.caCert, client) },
      mode: "iptables",
      hostnameOverride: this.name,
      bindAddress: this.ip,
      clusterCIDR: network.range,
      metricsBindAddress: "127.0.0.1:10249",
      healthzBindAddress: "127.0.0.1:10256",
      // Leave the machine-wide conntrack table as it is (it cannot be changed from a network namespace).
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    };
    const path = join(dir, "kube-proxy.yaml");
    writeFileSync(path, stringify(config));
    return path;
  }

  /** CPU time and memory charged to the node's cgroup (daemons and pods). */
  usage(): ReturnType<typeof cgroupUsage> {
    return cgroupUsage(this.cgroup);
  }

  /**
   * Kills everything in the node's cgroup at once (daemons, shims, containers: the node is disposable, nothing
   * needs a graceful stop); its mounts go with its mount namespace.
   */
  async stop(): Promise<void> {
    await cleanupCgroups(this.cgroup);
    await cleanupContainerCgroups(criObjectIds(this.hostPath(CONTAINERD_ROOT)));
    for (const daemon of [this.holder, ...this.daemons]) await daemon?.kill();
    await this.containerdDaemon?.stop();
  }
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: "/_ping" }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}
