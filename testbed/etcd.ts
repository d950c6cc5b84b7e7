import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { call } from "./https.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./process.js";

/** A single-member etcd on loopback, with fsync off (a test bed needs speed, not durability). */
export class Etcd {
  private process?: ManagedProcess;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    readonly clientPort: number,
    private readonly peerPort: number,
  ) {}

  static async start(binary: string, dir: string): Promise<Etcd> {
    const etcd = new Etcd(binary, dir, await freePort(), await freePort());
    await etcd.start();
    return etcd;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  private async start(): Promise<void> {
    mkdirSync(join(this.dir, "data"), { recursive: true });
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.process = new ManagedProcess("etcd", this.binary, [
      "--name=testbed",
      `--data-dir=${join(this.dir, "data")}`,
      `--listen-client-urls=${this.endpoint}`,
      `--advertise-client-urls=${this.endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=testbed=${peer}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ], join(this.dir, "etcd.log"));
    await this.process.waitUntil("healthy", async () => (await call(`${this.endpoint}/health`)).body.includes('"health":"true"'));
  }

  /** Compacts away all history up to the current revision, so older resourceVersions answer 410 Gone. */
  async compact(): Promise<number> {
    const range = await call(`${this.endpoint}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: Buffer.from("/").toString("base64") }) });
    const revision = Number(JSON.parse(range.body).header.revision);
    const compaction = await call(`${this.endpoint}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision, physical: true }) });
    if (compaction.status !== 200) throw new Error(`etcd compaction at ${revision} failed: ${compaction.status} ${compaction.body}`);
    return revision;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
