import test from "ava";
import { pullTurn, type Holder } from "./wave.js";

const digest = `sha256:${"a".repeat(64)}`;
const nodes = (n: number) => Array.from({ length: n }, (_, i) => `node-${i}`);

/** Rounds of pulls until every node holds the image, every agent deciding alone from the same holders. */
function rounds(n: number, registryHasIt: boolean): { rounds: number; fromRegistry: number } {
  const holders = new Map<string, Holder>(nodes(n).map((node, i) => [node, i === 0 ? { node, seed: true, phase: "Present", peerAddress: node } : { node, seed: false }]));
  let count = 0;
  let fromRegistry = 0;
  while ([...holders.values()].some((h) => h.phase !== "Present")) {
    const snapshot = [...holders.values()];
    const starting = snapshot.filter((h) => h.phase !== "Present").flatMap((h) => {
      const turn = pullTurn(h.node, digest, snapshot, { fanout: 1, registryHasIt });
      return turn.start ? [{ node: h.node, peer: turn.peer }] : [];
    });
    if (starting.length === 0) throw new Error("no one may start: the wave is stuck");
    for (const { node, peer } of starting) {
      if (!peer) fromRegistry++;
      holders.set(node, { node, seed: false, phase: "Present", peerAddress: node });
    }
    count++;
  }
  return { rounds: count, fromRegistry };
}

test("spreading to N nodes from one builder takes ceil(log2 N) rounds with the registry as one more source", (t) => {
  for (const n of [2, 4, 8, 64, 256]) {
    const { rounds: r, fromRegistry } = rounds(n, true);
    t.true(r <= Math.ceil(Math.log2(n)), `${n} nodes: ${r} rounds`);
    t.true(fromRegistry <= r, `${n} nodes: ${fromRegistry} pulls from the registry, at most one per round`);
  }
});

test("without the registry, peers alone double the holders every round", (t) => {
  t.is(rounds(8, false).rounds, 3);
});

test("every agent picks a different source in the same round", (t) => {
  const holders: Holder[] = [
    { node: "a", seed: true, phase: "Present", peerAddress: "a:1" },
    { node: "b", seed: false, phase: "Present", peerAddress: "b:1" },
    ...["c", "d", "e", "f"].map((node) => ({ node, seed: false })),
  ];
  const turns = ["c", "d", "e", "f"].map((node) => pullTurn(node, digest, holders, { fanout: 1, registryHasIt: true }));
  const started = turns.filter((turn) => turn.start);
  t.is(started.length, 3, "two peers and the registry, one pull each");
  t.is(new Set(started.map((turn) => (turn.start ? (turn.peer ?? "registry") : ""))).size, 3);
});

test("nobody starts while no node holds the image and the registry lacks it", (t) => {
  const turn = pullTurn("b", digest, [{ node: "a", seed: true, phase: "Pulling" }, { node: "b", seed: false }], { fanout: 1, registryHasIt: false });
  t.deepEqual(turn.start ? "start" : turn.reason, "WaitingForSource");
});

test("a running pull elsewhere takes a slot; one's own stale Pulling does not", (t) => {
  const holders: Holder[] = [
    { node: "a", seed: true, phase: "Present", peerAddress: "a:1" },
    { node: "b", seed: false, phase: "Pulling" },
    { node: "c", seed: false, phase: "Pulling" },
  ];
  const b = pullTurn("b", digest, holders, { fanout: 1, registryHasIt: false });
  t.false(b.start, "c's pull fills the only source");
  t.true(pullTurn("b", digest, holders.filter((h) => h.node !== "c"), { fanout: 1, registryHasIt: false }).start);
});

test("a puller starts on a peer with a free feed, not on the registry, when the first sources are busy", (t) => {
  // Round one: b pulled from the seed a, c from the registry. b, fed by a fast peer, finished first; c still pulls
  // from the registry, the last source. a and b are free: the two waiting pullers take them, whatever their order.
  const holders: Holder[] = [
    { node: "a", seed: true, phase: "Present", peerAddress: "a:1" },
    { node: "b", seed: false, phase: "Present", peerAddress: "b:1" },
    { node: "c", seed: false, phase: "Pulling", pullingFrom: "registry" },
    { node: "d", seed: false },
    { node: "e", seed: false },
  ];
  const turns = ["d", "e"].map((node) => pullTurn(node, digest, holders, { fanout: 1, registryHasIt: true }));
  t.deepEqual(turns.map((turn) => (turn.start ? (turn.peer ?? "registry") : turn.reason)).sort(), ["a:1", "b:1"]);
});

test("each source feeds up to fanout pulls, peers filling before the registry; a pull on a source gone still takes a feed", (t) => {
  const holders: Holder[] = [
    { node: "a", seed: true, phase: "Present", peerAddress: "a:1" },
    { node: "b", seed: false, phase: "Pulling", pullingFrom: "a" },
    // x was a source and is no longer (evicted): its puller's feed is counted on the first free source instead.
    { node: "c", seed: false, phase: "Pulling", pullingFrom: "x" },
    ...["d", "e", "f"].map((node) => ({ node, seed: false })),
  ];
  const turns = ["d", "e", "f"].map((node) => pullTurn(node, digest, holders, { fanout: 2, registryHasIt: true }));
  t.deepEqual(turns.map((turn) => (turn.start ? (turn.peer ?? "registry") : turn.reason)).sort(), ["WaitingForWave", "registry", "registry"]);
});
