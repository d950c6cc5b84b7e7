import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The node's containerd hosts.toml for the registry (containerd's config_path, read at every pull, as Spegel
 * uses it): the peers that current pulls were given are listed as mirrors ahead of the registry. A mirror that
 * lacks a blob answers 404 and containerd moves on to the next host and finally the registry, so a stale or
 * shared entry costs speed, never correctness. Written atomically: containerd may read it at any moment.
 */
export class MirrorHosts {
  private readonly inUse = new Map<string, number>();

  /** `ca`: the registry's CA certificate (PEM), written beside the file and named in it. */
  constructor(
    private readonly hostsDir: string,
    private readonly registryHost: string,
    private readonly plainHttp: boolean,
    private readonly ca?: string | Buffer,
  ) {
    if (ca !== undefined) {
      mkdirSync(join(hostsDir, registryHost), { recursive: true });
      writeFileSync(join(hostsDir, registryHost, "ca.crt"), ca);
    }
    this.write();
  }

  /** Lists `peer` as a mirror until the returned function is called. */
  use(peer: string): () => void {
    this.inUse.set(peer, (this.inUse.get(peer) ?? 0) + 1);
    this.write();
    return () => {
      const left = (this.inUse.get(peer) ?? 1) - 1;
      if (left > 0) this.inUse.set(peer, left);
      else this.inUse.delete(peer);
      this.write();
    };
  }

  private write(): void {
    const dir = join(this.hostsDir, this.registryHost);
    mkdirSync(dir, { recursive: true });
    const scheme = this.plainHttp ? "http" : "https";
    const mirrors = [...this.inUse.keys()].map((peer) => `[host."http://${peer}"]\n  capabilities = ["pull", "resolve"]\n`);
    // The registry is a host entry of its own, after the mirrors: containerd 1.6 cannot decode a file with no
    // host entry ("invalid `host` tree") and then ignores it, falling back to HTTPS.
    const ca = this.ca !== undefined ? `  ca = "${join(dir, "ca.crt")}"\n` : "";
    const registry = `[host."${scheme}://${this.registryHost}"]\n  capabilities = ["pull", "resolve"]\n${ca}`;
    const file = join(dir, "hosts.toml");
    writeFileSync(`${file}.tmp`, [`server = "${scheme}://${this.registryHost}"\n`, ...mirrors, registry].join("\n"));
    renameSync(`${file}.tmp`, file);
  }
}
