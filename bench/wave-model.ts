import { createHash } from "node:crypto";
import { pullTurn, REGISTRY, type Holder } from "../agent/wave.js";

/** What one pull costs, as measured on real nodes (bench/agent-real-nodes.ts). */
export interface PullCosts {
  readonly imageBytes: number;
  /** Seconds a pull takes besides moving bytes: the agent's turn, CRI's resolve, unpack, tag, status writes. */
  readonly overheadSeconds: number;
  /** What the registry serves, shared by every pull it feeds at once. */
  readonly registryBytesPerSecond: number;
  /** What one node serves its peers, shared likewise. */
  readonly peerBytesPerSecond: number;
}

export interface ModelledSpread {
  readonly nodes: number;
  /** From the seed's image being available (pushed, Present) to Present on every node. */
  readonly seconds: number;
  /** Whole copies the registry served. */
  readonly registryCopies: number;
}

/**
 * The agents' wave policy (agent/wave.ts pullTurn decides every start and its source) over `n` nodes, one of them
 * the seed, with costs from real pulls: each pull first spends the overhead, then moves the image from its source,
 * whose bandwidth the pulls it feeds at once share. Event-driven; time in seconds.
 */
export function waveSpread(n: number, costs: PullCosts, fanout = 1): ModelledSpread {
  const digest = `sha256:${"b".repeat(64)}`;
  const holders = new Map<string, Holder>([["node-0", { node: "node-0", seed: true, phase: "Present", peerAddress: "node-0" }]]);
  for (let i = 1; i < n; i++) holders.set(`node-${i}`, { node: `node-${i}`, seed: false });
  // At each event every waiting agent decides from the same view (a finished pull wakes them all at once, before
  // any sees another's new Pulling). Asking in the agents' queue order (agent/wave.ts) with the view updated after
  // each start gives the same answers, since one ahead of it takes the same source whether it waits or pulls from it;
  // and the asking stops at the first refusal, as everyone behind it is refused too: 1,000 nodes ask about 2,000
  // times, not a million. (Agents whose views miss each other's new Pulling can still pick the same source.)
  const order = (node: string) => createHash("sha256").update(`${digest}\n${node}`).digest("hex");
  const waiting = [...holders.keys()].filter((node) => node !== "node-0").sort((a, b) => order(a).localeCompare(order(b)));
  const transfers: { node: string; source: string; movingAt: number; left: number }[] = [];
  const rate = (source: string) => (source === REGISTRY ? costs.registryBytesPerSecond : costs.peerBytesPerSecond);
  let now = 0;
  let registryCopies = 0;
  for (;;) {
    let snapshot = [...holders.values()];
    while (waiting.length > 0) {
      const turn = pullTurn(waiting[0]!, digest, snapshot, { fanout, registryHasIt: true });
      if (!turn.start) break;
      const node = waiting.shift()!;
      if (!turn.peer) registryCopies++;
      transfers.push({ node, source: turn.from, movingAt: now + costs.overheadSeconds, left: costs.imageBytes });
      holders.set(node, { node, seed: false, phase: "Pulling", pullingFrom: turn.from });
      snapshot = [...holders.values()];
    }
    if (transfers.length === 0) {
      if (waiting.length > 0) throw new Error(`${waiting.length} nodes wait and nothing moves: the policy stalled`);
      return { nodes: n, seconds: now, registryCopies };
    }
    // Until the next event (a pull done with its overhead, or one done moving), every moving pull gets its share.
    const moving = transfers.filter((t) => t.movingAt <= now);
    const sharing = new Map<string, number>();
    for (const t of moving) sharing.set(t.source, (sharing.get(t.source) ?? 0) + 1);
    const speed = (t: (typeof transfers)[number]) => rate(t.source) / sharing.get(t.source)!;
    const next = Math.min(...transfers.map((t) => (t.movingAt > now ? t.movingAt : now + t.left / speed(t))));
    for (const t of moving) t.left -= speed(t) * (next - now);
    now = next;
    for (const t of transfers.filter((t) => t.movingAt <= now && t.left <= 1)) {
      transfers.splice(transfers.indexOf(t), 1);
      holders.set(t.node, { node: t.node, seed: false, phase: "Present", peerAddress: t.node });
    }
  }
}

/** Registry only: every node pulls at once, the registry's bandwidth shared by all of them. */
export function starSpread(n: number, costs: PullCosts): ModelledSpread {
  return { nodes: n, seconds: costs.overheadSeconds + ((n - 1) * costs.imageBytes) / costs.registryBytesPerSecond, registryCopies: n - 1 };
}
