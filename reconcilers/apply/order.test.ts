import test from "ava";
import type { KubeObject } from "../client/object.js";
import { applyStages } from "./order.js";

const obj = (kind: string, name: string, wave?: number): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, namespace: "ns", annotations: wave === undefined ? {} : { wave: String(wave) } },
});

test("applies CRDs, then Namespaces, then waves in ascending order, in a stable order within each", (t) => {
  const objects = [
    obj("Deployment", "b", 1),
    obj("Service", "a"),
    obj("Namespace", "ns"),
    obj("ConfigMap", "z"),
    obj("Deployment", "a", 1),
    obj("CustomResourceDefinition", "crd", 5),
    obj("ConfigMap", "a", -1),
  ];
  const stages = applyStages(objects, "wave").map((stage) => stage.map((o) => `${o.kind}/${o.metadata.name}`));
  t.deepEqual(stages, [
    ["CustomResourceDefinition/crd"],
    ["Namespace/ns"],
    ["ConfigMap/a"],
    ["ConfigMap/z", "Service/a"],
    ["Deployment/a", "Deployment/b"],
  ]);
  t.deepEqual(applyStages([...objects].reverse(), "wave"), applyStages(objects, "wave"), "input order does not matter");
});
