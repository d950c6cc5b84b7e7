import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { call } from "./https.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./process.js";

/**
 * A real OCI registry (Debian's docker-registry, distribution v2), plain HTTP, deletes enabled: on loopback, or
 * on the host's address of the real nodes' network so that their kubelets pull from it.
 */
export class Registry {
  private constructor(private readonly process: ManagedProcess, readonly port: number, private readonly address: string) {}

  static async start(dir: string, address = "127.0.0.1"): Promise<Registry> {
    mkdirSync(join(dir, "data"), { recursive: true });
    const port = await freePort();
    const config = join(dir, "config.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log: { level: warn, accesslog: { disabled: true } }",
        `storage: { filesystem: { rootdirectory: "${join(dir, "data")}" }, delete: { enabled: true } }`,
        `http: { addr: "${address}:${port}", headers: { X-Content-Type-Options: [nosniff] } }`,
        "",
      ].join("\n"),
    );
    const registry = new Registry(new ManagedProcess("docker-registry", "docker-registry", ["serve", config], join(dir, "registry.log")), port, address);
    await registry.process.waitUntil("answering /v2/", async () => (await call(`${registry.url}/v2/`)).status === 200, 30_000);
    return registry;
  }

  /** host:port, as it appears in image references. */
  get host(): string {
    return `${this.address}:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
