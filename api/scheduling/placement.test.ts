import test from "ava";
import type { ImageLocation } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";
import { placementFor } from "./placement.js";

const node = (name: string, ready = true, labels: Record<string, string> = { pool: "w" }): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const location = (node: string, phase?: string, built = false): ImageLocation => ({
  metadata: { name: `img-${node}`, ...(built ? { labels: { "orchest.io/image-source": "built" } } : {}) },
  spec: { image: "env:1", node },
  ...(phase ? { status: { phase: phase as "Present", source: built ? "built" : "pulled" } } : {}),
});
const required = (p: ReturnType<typeof placementFor>) =>
  p.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.map((t) => t.matchFields[0]!.values[0]);

const nodes = [node("a"), node("b"), node("c"), node("down", false), node("other", true, { pool: "x" })];

test("interactive: required affinity to every Ready worker node where the image is Present", (t) => {
  const p = placementFor("env:1", "interactive", { nodes, locations: [location("b", "Present"), location("a", "Present"), location("c", "Pulling"), location("down", "Present"), location("other", "Present")], workerNodeSelector: { pool: "w" } });
  t.deepEqual(required(p), ["a", "b"]);
  t.deepEqual(p.nodeSelector, { pool: "w" });
  t.is(p.unconstrained, undefined);
});

test("interactive, present nowhere yet: the building node; that node not Ready: no constraint and why", (t) => {
  t.deepEqual(required(placementFor("env:1", "interactive", { nodes, locations: [location("c", undefined, true)] })), ["c"]);
  const p = placementFor("env:1", "interactive", { nodes, locations: [location("down", undefined, true)] });
  t.is(p.affinity, undefined);
  t.regex(p.unconstrained!, /down, where it was built, is not Ready/);
  t.regex(placementFor("env:1", "interactive", { nodes, locations: [] }).unconstrained!, /no build of it is recorded/);
});

test("non-interactive: any worker node, preferring the nodes that hold the image", (t) => {
  const p = placementFor("env:1", "non-interactive", { nodes, locations: [location("a", "Present")], workerNodeSelector: { pool: "w" } });
  t.is(p.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
  t.deepEqual(p.affinity?.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution, [{ weight: 100, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }] } }]);
  t.deepEqual(p.nodeSelector, { pool: "w" });
  t.deepEqual(placementFor("env:1", "non-interactive", { nodes, locations: [] }), { nodes: [] });
});

test("non-interactive, built but not yet in the registry: only where it is, since no other node could pull it", (t) => {
  const built = (phase: string | undefined, pushedToRegistry: boolean): ImageLocation => ({
    ...location("c", phase, true),
    ...(phase ? { status: { phase: phase as "Present", source: "built", pushedToRegistry } } : {}),
  });
  t.deepEqual(required(placementFor("env:1", "non-interactive", { nodes, locations: [built(undefined, false)] })), ["c"], "the building node, before its agent reported");
  t.deepEqual(required(placementFor("env:1", "non-interactive", { nodes, locations: [built("Present", false), location("a", "Present")] })), ["a", "c"]);
  const pushed = placementFor("env:1", "non-interactive", { nodes, locations: [built("Present", true)] });
  t.is(pushed.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined, "pushed: anywhere");
  t.deepEqual(pushed.nodes, ["c"], "preferring where it is");
  const stranded = placementFor("env:1", "non-interactive", { nodes, locations: [{ ...built(undefined, false), spec: { image: "env:1", node: "down" } }] });
  t.regex(stranded.unconstrained!, /not in the registry yet and down, where it was built, is not Ready/);
});

test("an image pinned by digest matches locations by digest", (t) => {
  const digest = `sha256:${"c".repeat(64)}`;
  const loc = { ...location("a", "Present"), spec: { image: "registry/env:1", node: "a", digest } };
  t.deepEqual(required(placementFor(`env@${digest}`, "interactive", { nodes, locations: [loc] })), ["a"]);
});
