import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./command.js";
import { ManagedProcess } from "./process.js";

/** The installed containerd's version, e.g. "1.6.20": simulated containerd nodes report it. */
export function containerdVersion(): string {
  const out = spawnSync("containerd", ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /\s(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? "unknown";
}

/** Where a containerd keeps things, as it sees them, and how the host reaches its socket and hosts dir. */
/** The ids of the pod sandboxes and containers the CRI plugin of a containerd with root `root` has made and not removed. */
export function criObjectIds(root: string): string[] {
  const cri = join(root, "io.containerd.grpc.v1.cri");
  return ["sandboxes", "containers"].flatMap((kind) => (existsSync(join(cri, kind)) ? readdirSync(join(cri, kind)) : []));
}

export interface ContainerdLayout {
  readonly root: string;
  readonly state: string;
  readonly socket: string;
  /** containerd's config_path: per-registry hosts.toml files. */
  readonly hostsDir: string;
  /** The same socket and hosts dir from the host (differ for a real node, which has its own mount namespace). */
  readonly hostSocket: string;
  readonly hostHostsDir: string;
  /** Config file and log, on the host. */
  readonly configFile: string;
  readonly logFile: string;
}

export interface ContainerdOptions {
  readonly layout: ContainerdLayout;
  /** Trusted over plain HTTP (pull, resolve, push). */
  readonly registryHost?: string;
  /**
   * The CRI plugin, for a kubelet or the node-agent; false for docker's own containerd. A real node's kubelet
   * needs its sandbox image and CNI.
   */
  readonly cri: false | { readonly sandboxImage?: string; readonly cni?: { readonly binDir: string; readonly confDir: string } };
  /** Runs the daemon somewhere other than on the host (inside a real node). */
  readonly wrapper?: readonly string[];
}

/**
 * One real containerd: for a simulated node (own root, state and socket in the node's folder, the CRI plugin on
 * because the node-agent talks CRI) or inside a real node (the standard paths of its own mount namespace).
 */
export class Containerd {
  private readonly process: ManagedProcess;

  private constructor(private readonly options: ContainerdOptions) {
    const { layout, registryHost } = options;
    writeFileSync(layout.configFile, containerdConfig(options));
    if (registryHost) trustRegistry(layout.hostHostsDir, registryHost);
    this.process = new ManagedProcess("containerd", "containerd", [`--config=${layout.configFile}`], layout.logFile, process.env, options.wrapper);
  }

  /** A containerd of a simulated node, everything in `dir`. */
  static forSimulatedNode(dir: string, registryHost?: string): Promise<Containerd> {
    mkdirSync(dir, { recursive: true });
    const hostsDir = join(dir, "certs.d");
    const socket = join(dir, "containerd.sock");
    return Containerd.start({
      layout: { root: join(dir, "root"), state: join(dir, "state"), socket, hostsDir, hostSocket: socket, hostHostsDir: hostsDir, configFile: join(dir, "config.toml"), logFile: join(dir, "containerd.log") },
      registryHost,
      cri: {},
    });
  }

  static async start(options: ContainerdOptions): Promise<Containerd> {
    const containerd = new Containerd(options);
    await containerd.process.waitUntil("serving its socket", async () => {
      await containerd.ctr("version");
      return true;
    }, 30_000);
    return containerd;
  }

  /** The socket, as the host reaches it. */
  get socket(): string {
    return this.options.layout.hostSocket;
  }

  /** The folder of per-registry hosts.toml files (containerd's config_path) on the host, e.g. for `ctr --hosts-dir`. */
  get hostsDir(): string {
    return this.options.layout.hostHostsDir;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Runs `ctr` against this containerd, in the k8s.io namespace the CRI plugin uses. */
  ctr(...args: string[]): Promise<string> {
    return run("ctr", ["--address", this.socket, "--namespace", "k8s.io", ...args]);
  }

  failure(problem: string): Error {
    return this.process.failure(problem);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

function containerdConfig({ layout, cri }: ContainerdOptions): string {
  const disabled = [
    "io.containerd.internal.v1.opt",
    "io.containerd.snapshotter.v1.aufs",
    "io.containerd.snapshotter.v1.btrfs",
    "io.containerd.snapshotter.v1.devmapper",
    "io.containerd.snapshotter.v1.zfs",
    "io.containerd.tracing.processor.v1.otlp",
    ...(cri ? [] : ["io.containerd.grpc.v1.cri"]),
  ];
  const lines = [
    "version = 2",
    `root = "${layout.root}"`,
    `state = "${layout.state}"`,
    `disabled_plugins = [${disabled.map((p) => `"${p}"`).join(", ")}]`,
    "",
    "[grpc]",
    `  address = "${layout.socket}"`,
    "",
    "[ttrpc]",
    `  address = "${layout.socket}.ttrpc"`,
    "",
    "[debug]",
    '  address = ""',
    '  level = "warn"',
    "",
    "[metrics]",
    '  address = ""',
  ];
  if (cri) {
    lines.push(
      "",
      '[plugins."io.containerd.grpc.v1.cri"]',
      "  disable_apparmor = true",
      // A negative oom_score_adj is refused here; without this every sandbox fails ("can't get final child's PID").
      "  restrict_oom_score_adj = true",
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      ...(cri.sandboxImage ? [`  sandbox_image = "${cri.sandboxImage}"`] : []),
      '  [plugins."io.containerd.grpc.v1.cri".containerd]',
      '    snapshotter = "overlayfs"',
      '    default_runtime_name = "runc"',
      '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '      runtime_type = "io.containerd.runc.v2"',
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      `    bin_dir = "${cri.cni?.binDir ?? join(layout.root, "..", "cni", "bin")}"`,
      `    conf_dir = "${cri.cni?.confDir ?? join(layout.root, "..", "cni", "conf")}"`,
      '  [plugins."io.containerd.grpc.v1.cri".registry]',
      `    config_path = "${layout.hostsDir}"`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function trustRegistry(hostsDir: string, host: string): void {
  const hostDir = join(hostsDir, host);
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(join(hostDir, "hosts.toml"), `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve", "push"]\n`);
}
