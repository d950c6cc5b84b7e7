/**
 * At most `limit` attempts in flight per endpoint (scheme, host and port). A key that finds its endpoint
 * full is parked rather than left holding a worker, so one slow receiver never delays the others; each
 * freed slot wakes one parked key, which then tries again. Requests are signed only once they have a slot,
 * so their Standard Webhooks timestamp is never stale from waiting.
 */
export class EndpointSlots {
  private readonly busy = new Map<string, number>();
  private readonly parked = new Map<string, Set<string>>();

  constructor(
    private readonly limit: number,
    private readonly wake: (key: string) => void,
  ) {}

  tryAcquire(endpoint: string, key: string): boolean {
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
    const parked = this.parked.get(endpoint);
    const next = parked?.values().next();
    if (!parked || !next || next.done) return;
    parked.delete(next.value);
    if (parked.size === 0) this.parked.delete(endpoint);
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
