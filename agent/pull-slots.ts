/** A counting semaphore: waiters are served in arrival order. */
class Semaphore {
  private used = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.used < this.limit) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used--;
  }
}

/**
 * Caps on this node's concurrent pulls: in all, and per registry host (a peer counts as its own host), so that
 * a burst of wanted images neither saturates the node's disk and network nor sends everything to one registry.
 */
export class PullSlots {
  private readonly node: Semaphore;
  private readonly perHost = new Map<string, Semaphore>();

  constructor(nodeLimit: number, private readonly hostLimit: number) {
    this.node = new Semaphore(nodeLimit);
  }

  /** Waits for a slot on both caps; returns the function that gives them back. */
  async acquire(host: string): Promise<() => void> {
    let forHost = this.perHost.get(host);
    if (!forHost) this.perHost.set(host, (forHost = new Semaphore(this.hostLimit)));
    await forHost.acquire();
    await this.node.acquire();
    return () => {
      this.node.release();
      forHost.release();
    };
  }
}
