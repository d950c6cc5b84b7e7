import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./command.js";
import { ManagedProcess } from "./process.js";

/** The installed containerd's version, e.g. "1.6.20": simulated containerd nodes report it. */
export function containerdVersion(): string {
  const out = spawnSync("containerd", ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /\s(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? "unknown";
}

/**
 * One real containerd for one simulated node: its own root, state and socket under the node's folder, the CRI
 * plugin on (the node-agent talks CRI), and the test bed's registry reachable over plain HTTP.
 */
export class Containerd {
  private readonly process: ManagedProcess;

  private constructor(readonly dir: string, readonly registryHost: string | undefined) {
    const config = join(dir, "config.toml");
    writeFileSync(config, this.config());
    if (registryHost) this.trustRegistry(registryHost);
    this.process = new ManagedProcess("containerd", "containerd", [`--config=${config}`], join(dir, "containerd.log"));
  }

  static async start(dir: string, registryHost?: string): Promise<Containerd> {
    mkdirSync(dir, { recursive: true });
    const containerd = new Containerd(dir, registryHost);
    await containerd.process.waitUntil("serving its socket", async () => {
      await containerd.ctr("version");
      return true;
    }, 30_000);
    return containerd;
  }

  get socket(): string {
    return join(this.dir, "containerd.sock");
  }

  /** The folder of per-registry hosts.toml files (containerd's config_path), for clients such as `ctr --hosts-dir`. */
  get hostsDir(): string {
    return join(this.dir, "certs.d");
  }

  /** Runs `ctr` against this containerd, in the k8s.io namespace the CRI plugin uses. */
  ctr(...args: string[]): Promise<string> {
    return run("ctr", ["--address", this.socket, "--namespace", "k8s.io", ...args]);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }

  private config(): string {
    const dir = this.dir;
    return `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = [
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "${dir}/containerd.sock"

[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "warn"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${dir}/cni/bin"
    conf_dir = "${dir}/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${dir}/certs.d"
`;
  }

  private trustRegistry(host: string): void {
    const hostDir = join(this.hostsDir, host);
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(
      join(hostDir, "hosts.toml"),
      `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve", "push"]\n`,
    );
  }
}
