import { createHash } from "node:crypto";

/** What a running pull records as its source when it comes from the registry (a peer: the peer's node name). */
export const REGISTRY = "registry";

/** What the wave policy needs to know about one node's location of an image. */
export interface Holder {
  readonly node: string;
  readonly phase?: string;
  /** Built on this node: a seed, not a puller. */
  readonly seed: boolean;
  /** Where the node serves the image to peers; absent when it does not serve. */
  readonly peerAddress?: string;
  /** While Pulling: the peer's node name or REGISTRY; absent when not recorded (an agent from before it was). */
  readonly pullingFrom?: string;
}

export interface WaveOptions {
  /** Pulls one source (a present peer, or the registry) feeds at once. */
  readonly fanout: number;
  /** Whether the registry holds the image (a built image once pushed; anything not built here). */
  readonly registryHasIt: boolean;
}

export type Turn =
  | {
      readonly start: true;
      /** A peer's address to pull from; undefined means the registry. */
      readonly peer?: string;
      /** What the pull records as its source (Holder.pullingFrom): the peer's node name, or REGISTRY. */
      readonly from: string;
    }
  | { readonly start: false; readonly reason: "WaitingForSource" | "WaitingForWave"; readonly message: string };

/**
 * Whether `node` may start pulling now, and from where. Pullers of an image queue in an order fixed by a hash
 * of (digest, node), so every agent computes the same queue from the same ImageLocations without talking to the
 * others. Sources are the nodes that hold the image and serve it (sorted by name), then the registry; each feeds
 * `fanout` pulls at a time. Running pulls occupy the source they record; then each waiting puller, in queue
 * order, takes the first source with a free feed, so peers fill before the registry, and a pull that ends early
 * frees its own source rather than the last one. As every finished pull adds a source, the holders double each
 * round: N nodes take about log2(N) rounds and the registry serves about one copy per round instead of N.
 */
export function pullTurn(node: string, digest: string, holders: readonly Holder[], options: WaveOptions): Turn {
  const peers = holders.filter((h) => h.node !== node && h.phase === "Present" && h.peerAddress).sort((a, b) => a.node.localeCompare(b.node));
  const sources: { readonly from: string; readonly peer?: string; running: number }[] = [
    ...peers.map((h) => ({ from: h.node, peer: h.peerAddress!, running: 0 })),
    ...(options.registryHasIt ? [{ from: REGISTRY, running: 0 }] : []),
  ];
  if (sources.length === 0) return { start: false, reason: "WaitingForSource", message: "no node holds the image yet and the registry does not have it" };

  const order = new Map(holders.map((h) => [h.node, queueOrder(digest, h.node)]));
  const queue = holders.filter((h) => !h.seed).sort((a, b) => order.get(a.node)!.localeCompare(order.get(b.node)!));
  const rank = queue.findIndex((h) => h.node === node);
  const running = queue.filter((h) => h.node !== node && h.phase === "Pulling");
  const waitingAhead = queue.slice(0, Math.max(rank, 0)).filter((h) => isWaiting(h.phase));
  const take = () => {
    const free = sources.find((s) => s.running < options.fanout);
    if (free) free.running++;
    return free;
  };
  // A pull whose source is unknown, or no longer a source, still takes a feed: the first free one, as it once did.
  const unplaced = running.filter((h) => {
    const source = sources.find((s) => s.from === h.pullingFrom);
    if (source) source.running++;
    return !source;
  });
  for (let ahead = unplaced.length + waitingAhead.length; ahead > 0; ahead--) take();
  const source = take();
  if (!source) {
    return { start: false, reason: "WaitingForWave", message: `${running.length} pulls running and ${waitingAhead.length} queued ahead for ${sources.length} sources × ${options.fanout}` };
  }
  return source.peer === undefined ? { start: true, from: REGISTRY } : { start: true, peer: source.peer, from: source.from };
}

/** Not present and not given up on: wants a pull slot. */
function isWaiting(phase: string | undefined): boolean {
  return phase === undefined || phase === "Pending" || phase === "Evicted";
}

function queueOrder(digest: string, node: string): string {
  return createHash("sha256").update(`${digest}\n${node}`).digest("hex");
}
