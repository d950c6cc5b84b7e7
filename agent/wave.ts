import { createHash } from "node:crypto";

/** What the wave policy needs to know about one node's location of an image. */
export interface Holder {
  readonly node: string;
  readonly phase?: string;
  /** Built on this node: a seed, not a puller. */
  readonly seed: boolean;
  /** Where the node serves the image to peers; absent when it does not serve. */
  readonly peerAddress?: string;
}

export interface WaveOptions {
  /** Pulls one source (a present peer, or the registry) feeds at once. */
  readonly fanout: number;
  /** Whether the registry holds the image (a built image once pushed; anything not built here). */
  readonly registryHasIt: boolean;
}

export type Turn =
  | { readonly start: true; /** A peer to pull from; undefined means the registry. */ readonly peer?: string }
  | { readonly start: false; readonly reason: "WaitingForSource" | "WaitingForWave"; readonly message: string };

/**
 * Whether `node` may start pulling now, and from where. Pullers of an image queue in an order fixed by a hash
 * of (digest, node), so every agent computes the same queue from the same ImageLocations without talking to the
 * others. Sources are the nodes that hold the image and serve it, plus the registry; each feeds `fanout` pulls
 * at a time. A puller starts once the pulls ahead of it in the queue plus those running leave room, and takes
 * the source its slot maps to. As every finished pull adds a source, the holders double each round: N nodes
 * take about log2(N) rounds and the registry serves about one copy per round instead of N.
 */
export function pullTurn(node: string, digest: string, holders: readonly Holder[], options: WaveOptions): Turn {
  const peers = holders
    .filter((h) => h.node !== node && h.phase === "Present" && h.peerAddress)
    .map((h) => h.peerAddress!)
    .sort();
  const sources: (string | undefined)[] = [...peers, ...(options.registryHasIt ? [undefined] : [])];
  if (sources.length === 0) return { start: false, reason: "WaitingForSource", message: "no node holds the image yet and the registry does not have it" };

  const order = new Map(holders.map((h) => [h.node, queueOrder(digest, h.node)]));
  const queue = holders.filter((h) => !h.seed).sort((a, b) => order.get(a.node)!.localeCompare(order.get(b.node)!));
  const rank = queue.findIndex((h) => h.node === node);
  const pulling = queue.filter((h) => h.node !== node && h.phase === "Pulling").length;
  const waitingAhead = queue.slice(0, Math.max(rank, 0)).filter((h) => isWaiting(h.phase)).length;
  const slot = pulling + waitingAhead;
  const capacity = sources.length * options.fanout;
  if (slot >= capacity) {
    return { start: false, reason: "WaitingForWave", message: `${pulling} pulls running and ${waitingAhead} queued ahead for ${sources.length} sources × ${options.fanout}` };
  }
  const source = sources[slot % sources.length];
  return source === undefined ? { start: true } : { start: true, peer: source };
}

/** Not present and not given up on: wants a pull slot. */
function isWaiting(phase: string | undefined): boolean {
  return phase === undefined || phase === "Pending" || phase === "Evicted";
}

function queueOrder(digest: string, node: string): string {
  return createHash("sha256").update(`${digest}\n${node}`).digest("hex");
}
