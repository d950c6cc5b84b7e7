/**
 * At most `limit` attempts in flight per endpoint (scheme, host and port). A key that finds its endpoint
 * full is parked rather than left holding a worker, so one slow receiver never delays the others; each
 * freed slot wakes one parked key, which then tries again. Requests are signed only once they have a slot,
 * so their Standard Webhooks timestamp is never stale from waiting.
 */
export class EndpointSlots {
  private readonly busy = new Map<string, number>();
  private readonly parked = new Map<string, Set<string>>();
  /** Keys woken for a freed slot of their endpoint that have not claimed or declined it yet. */
  private readonly woken = new Map<string, string>();

  constructor(
    private readonly limit: number,
    private readonly wake: (key: string) => void,
  ) {}

  tryAcquire(endpoint: string, key: string): boolean {
    this.woken.delete(key);
    const busy = this.busy.get(endpoint) ?? 0;
    if (busy < this.limit) {
      this.busy.set(endpoint, busy + 1);
      this.parked.get(endpoint)?.delete(key);
      return true;
    }
    let parked = this.parked.get(endpoint);
    if (!parked) this.parked.set(endpoint, (parked = new Set()));
    parked.add(key);
    return false;
  }

  release(endpoint: string): void {
    const busy = (this.busy.get(endpoint) ?? 1) - 1;
    if (busy > 0) this.busy.set(endpoint, busy);
    else this.busy.delete(endpoint);
    this.wakeNext(endpoint);
  }

  /**
   * A woken key that turned out not to need its slot (it was deleted, or is no longer due) passes it on,
   * so that no parked key waits for a release that never comes. A no-op for keys that were not woken.
   */
  decline(key: string): void {
    const endpoint = this.woken.get(key);
    if (endpoint === undefined) return;
    this.woken.delete(key);
    if ((this.busy.get(endpoint) ?? 0) < this.limit) this.wakeNext(endpoint);
  }

  private wakeNext(endpoint: string): void {
    const parked = this.parked.get(endpoint);
    const next = parked?.values().next();
    if (!parked || !next || next.done) return;
    parked.delete(next.value);
    if (parked.size === 0) this.parked.delete(endpoint);
    this.woken.set(next.value, endpoint);
    this.wake(next.value);
  }

  /** Attempts in flight, over all endpoints. */
  get inFlight(): number {
    let sum = 0;
    for (const n of this.busy.values()) sum += n;
    return sum;
  }
}

/** The endpoint of a URL: what a connection pool is per. */
export function endpointOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
}
