import test from "ava";
import { randomBytes } from "node:crypto";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { KubeClient } from "../client/client.js";
import type { KubeObject } from "../client/object.js";
import { waitFor } from "../testing.js";
import { updateStatus } from "./status-writer.js";

// A kind of our own with a status subresource: built-in statuses are written by their controllers.
const group = `status-${randomBytes(3).toString("hex")}.example.com`;
const GADGET = { apiVersion: `${group}/v1`, kind: "Gadget" };
const testbed = useTestbed();
const setup = (async () => {
  const tb = await testbed;
  const client = new KubeClient(tb.kubeConfig);
  const crd = await client.create({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gadgets.${group}` },
    spec: {
      group,
      names: { kind: "Gadget", plural: "gadgets", singular: "gadget", listKind: "GadgetList" },
      scope: "Namespaced",
      versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  });
  await waitFor("the CRD to be served", async () => {
    const live = await client.get({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name! });
    return ((live?.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
  });
  return { client, ns: await createTestNamespace(tb.kubeConfig, "status") };
})();

test.after.always(async () => {
  const { client } = await setup;
  await client.delete({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: `gadgets.${group}` });
  client.close();
});

async function gadget(name: string, status: Record<string, unknown>): Promise<KubeObject> {
  const { client, ns } = await setup;
  const created = await client.create({ ...GADGET, metadata: { name, namespace: ns }, spec: {} });
  return (await updateStatus(client, created, status))!;
}

test("a status key we stop setting is removed, and writing the same status again costs no request", async (t) => {
  const { client } = await setup;
  const obj = await gadget("removal", { phase: "Building", message: "pulling", progress: { step: 1 } });
  const written = (await updateStatus(client, obj, { phase: "Built", message: "pulling" }))!;
  t.deepEqual(written.status, { phase: "Built", message: "pulling" });
  const patches = client.counter.count("patch");
  t.is(await updateStatus(client, written, { phase: "Built", message: "pulling" }), undefined);
  t.is(client.counter.count("patch"), patches, "no request for an unchanged status");
});

test("a status write from a stale read is refused with a conflict: the status never moves back", async (t) => {
  const { client, ns } = await setup;
  const stale = await gadget("stale", { phase: "Pending" });
  await updateStatus(client, stale, { phase: "Running" });
  const error = await t.throwsAsync(updateStatus(client, stale, { phase: "Pending", observedGeneration: 1 }));
  t.regex(error!.message, /409 Conflict/);
  t.deepEqual((await client.get({ ...GADGET, namespace: ns, name: "stale" }))?.status, { phase: "Running" });
});
