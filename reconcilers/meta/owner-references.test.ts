import test from "ava";
import type { KubeObject } from "../client/object.js";
import { withControllerReference } from "./owner-references.js";

const owner = (name: string, uid: string): KubeObject => ({ apiVersion: "example.com/v1", kind: "Build", metadata: { name, namespace: "ns", uid } });
const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "builder", namespace: "ns" } };

test("taking over another controller's object is an error that names the controller and the fix", (t) => {
  const owned = withControllerReference(pod, owner("first", "uid-1"));
  const error = t.throws(() => withControllerReference(owned, owner("second", "uid-2")));
  t.regex(error!.message, /Pod ns\/builder is already controlled by Build first \(uid uid-1\)\. Fix: /);
});

test("setting the same controller again keeps one reference, and plain owners stay", (t) => {
  const withPlainOwner = { ...pod, metadata: { ...pod.metadata, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "c", uid: "uid-c" }] } };
  const once = withControllerReference(withPlainOwner, owner("first", "uid-1"));
  const twice = withControllerReference(once, owner("first", "uid-1"));
  t.deepEqual(twice.metadata.ownerReferences!.map((r) => `${r.uid}${r.controller ? " (controller)" : ""}`), ["uid-c", "uid-1 (controller)"]);
});
