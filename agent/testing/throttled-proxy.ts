import { createServer, request, type Server } from "node:http";
import { type AddressInfo } from "node:net";

/**
 * A reverse proxy in front of a registry that counts the bytes it serves and shares one bandwidth among all
 * downloads, so that tests and the benchmark see the registry as a bottleneck of known size (on loopback it is
 * otherwise unlimited) and can say how much of an image's spread it carried.
 */
export class ThrottledProxy {
  /** Response bytes sent to clients: what the registry served. */
  bytesServed = 0;
  private nextFree = 0;

  private constructor(private readonly server: Server) {}

  static async start(target: string, bytesPerSecond: number): Promise<ThrottledProxy> {
    const server = createServer();
    const proxy = new ThrottledProxy(server);
    server.on("request", (req, res) => {
      const upstream = request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, async (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        try {
          for await (const chunk of reply as AsyncIterable<Buffer>) {
            await proxy.pace(chunk.length, bytesPerSecond);
            proxy.bytesServed += chunk.length;
            if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
          }
          res.end();
        } catch (error) {
          res.destroy(error as Error);
        }
      });
      upstream.on("error", (error) => res.destroy(error));
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Reserves the link for `bytes`: concurrent downloads queue behind each other, their sum never exceeds the rate. */
  private async pace(bytes: number, bytesPerSecond: number): Promise<void> {
    const now = Date.now();
    this.nextFree = Math.max(this.nextFree, now) + (bytes / bytesPerSecond) * 1000;
    const wait = this.nextFree - now;
    if (wait > 5) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
