import test from "ava";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../client/client.js";
import type { KubeObject } from "../client/object.js";
import { Informer } from "./informer.js";
import { byOwnerUid } from "./store.js";

// These tests feed the informer directly (as its watcher would) and never send a request.
function informer(): { informer: Informer; events: string[] } {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "c", server: "https://127.0.0.1:1" }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
  const inf = new Informer(new KubeClient(kc), { apiVersion: "v1", kind: "ConfigMap" });
  const events: string[] = [];
  inf.addHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name}/${o.metadata.uid}`),
    onUpdate: (_, o) => events.push(`update ${o.metadata.name}/${o.metadata.uid}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}/${o.metadata.uid}`),
  });
  return { informer: inf, events };
}

const cm = (name: string, uid: string, rv: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "ns", uid, resourceVersion: rv, managedFields: [{ manager: "kubectl" }] },
  data: { k: rv },
});

test("a relist makes no event for unchanged objects and a delete for vanished ones", (t) => {
  const { informer: inf, events } = informer();
  inf.replace([cm("a", "1", "10"), cm("b", "2", "11")]);
  inf.replace([cm("a", "1", "10"), cm("c", "3", "12")]);
  t.deepEqual(events, ["add a/1", "add b/2", "add c/3", "delete b/2"]);
  t.true(inf.hasSynced());
});

test("a watch that replays what the cache holds makes no event", (t) => {
  const { informer: inf, events } = informer();
  inf.replace([cm("a", "1", "10")]);
  inf.change("ADDED", cm("a", "1", "10"));
  inf.change("MODIFIED", cm("a", "1", "10"));
  t.deepEqual(events, ["add a/1"]);
});

test("a name recreated with a new UID is a delete and an add, not an update", (t) => {
  const { informer: inf, events } = informer();
  inf.replace([cm("a", "1", "10")]);
  inf.change("MODIFIED", cm("a", "2", "12"));
  t.deepEqual(events, ["add a/1", "delete a/1", "add a/2"]);
  t.is(inf.get("ns/a")?.metadata.uid, "2");
});

test("cached objects are frozen and carry no managedFields", (t) => {
  const { informer: inf } = informer();
  inf.replace([cm("a", "1", "10")]);
  const obj = inf.get("ns/a")!;
  t.is(obj.metadata.managedFields, undefined);
  t.throws(() => {
    (obj.data as Record<string, string>).k = "changed";
  });
});

test("indexers find objects by owner and follow updates", (t) => {
  const { informer: inf } = informer();
  inf.addIndexer("owner", byOwnerUid);
  const owned = { ...cm("a", "1", "10"), metadata: { ...cm("a", "1", "10").metadata, ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "owner-1" }] } };
  inf.replace([owned, cm("b", "2", "11")]);
  t.deepEqual(inf.byIndex("owner", "owner-1").map((o) => o.metadata.name), ["a"]);
  inf.change("MODIFIED", cm("a", "1", "13"));
  t.deepEqual(inf.byIndex("owner", "owner-1"), []);
});
