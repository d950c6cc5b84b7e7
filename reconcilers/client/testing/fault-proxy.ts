// A TCP proxy in front of a real apiserver that breaks the network on demand, for tests of what a client
// does when connections reset or go silent. It forwards bytes untouched (TLS stays end to end): the API is
// the real one, only the wire misbehaves.
import { KubeConfig } from "@kubernetes/client-node";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";

/**
 * Why no FaultProxy can stand in front of this run's cluster, or undefined when one can. The proxy listens on
 * the apiserver's own address (so that TLS still verifies), which must then be an address of this machine:
 * always so on the test bed, not on a remote cluster named by ORCHEST_TEST_KUBECONFIG. Read before tests are
 * registered, so that a test file registers such tests with test.skip: reported as skipped, never as failed
 * or passed. Prints the reason once per test file that asks.
 */
export function faultProxyUnavailable(): string | undefined {
  const existing = process.env.ORCHEST_TEST_KUBECONFIG;
  if (process.env.ORCHEST_TESTBED || !existing) return undefined;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(existing);
  const host = new URL(kubeConfig.getCurrentCluster()?.server ?? "https://unknown").hostname.replace(/^\[|\]$/g, "");
  const local = host === "localhost" || Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.address === host));
  if (local) return undefined;
  const reason = `the apiserver of ORCHEST_TEST_KUBECONFIG (${host}) is not on this machine: a fault proxy cannot listen on its address`;
  process.stdout.write(`skipped where they need a fault proxy: ${reason}\n`);
  return reason;
}

export class FaultProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private silent = false;

  private constructor(
    private readonly server: net.Server,
    private readonly target: URL,
  ) {}

  /** Starts a proxy to the current cluster of `kubeConfig`, on the same host, another port. */
  static async start(kubeConfig: KubeConfig): Promise<FaultProxy> {
    const target = new URL(kubeConfig.getCurrentCluster()!.server);
    const server = net.createServer();
    const proxy = new FaultProxy(server, target);
    server.on("connection", (client) => proxy.accept(client));
    // On the apiserver's own address: the client's TLS check of the host name still holds.
    await new Promise<void>((resolve) => server.listen(0, target.hostname, resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `kubeConfig` with its current cluster reached through this proxy (same host name, so TLS still verifies). */
  kubeConfig(kubeConfig: KubeConfig): KubeConfig {
    const current = kubeConfig.getCurrentCluster()!;
    const server = new URL(current.server);
    server.port = String(this.port);
    const proxied = new KubeConfig();
    proxied.loadFromOptions({
      clusters: kubeConfig.clusters.map((c) => (c.name === current.name ? { ...c, server: server.origin } : c)),
      users: kubeConfig.users,
      contexts: kubeConfig.contexts,
      currentContext: kubeConfig.currentContext,
    });
    return proxied;
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every open connection: clients see ECONNRESET mid-request or mid-stream. */
  resetAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** A black hole: open connections and new ones stay up, and no byte passes either way. */
  goSilent(): void {
    this.silent = true;
  }

  /** Lets bytes pass again; connections that went silent are reset, their streams having lost bytes. */
  restore(): void {
    this.silent = false;
    this.resetAll();
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port), this.target.hostname);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk) => {
        if (!this.silent) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  }
}
