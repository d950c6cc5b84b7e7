// The test bed's volume provisioner, on a control plane of its own (so that no other test's claims wake it):
// claims of its class get volumes, released volumes go, and at rest it costs the apiserver nothing. Every test
// bed of the suite runs one for its whole life, so a poll here is paid many times over.
import { CoreV1Api } from "@kubernetes/client-node";
import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster } from "./cluster.js";
import { eventually } from "./eventually.js";
import { apiserverGet } from "./index.js";

let cluster: Cluster | undefined;

test.before(async () => {
  cluster = await Cluster.start({ nodes: [], containerd: false, registry: false });
});

test.after.always(async () => {
  await cluster?.stop();
});

/** The apiserver's count of requests on claims and volumes, by verb, resource and scope: what the provisioner costs it. */
async function volumeRequests(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of (await apiserverGet(cluster!.kubeConfig(), "/metrics")).split("\n")) {
    if (!line.startsWith("apiserver_request_total{") || !/resource="persistentvolume(claim)?s"/.test(line)) continue;
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1];
    const key = `${label("verb")} ${label("resource")} (${label("scope")}, ${label("component")})`;
    counts[key] = (counts[key] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return counts;
}

test.serial("a claim that names no class is bound to a new volume, which goes once the claim is deleted", async (t) => {
  const core = cluster!.kubeConfig().makeApiClient(CoreV1Api);
  const body = { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } };
  await core.createNamespacedPersistentVolumeClaim({ namespace: "default", body });
  const claim = await eventually("the claim to be Bound", async () => {
    const c = await core.readNamespacedPersistentVolumeClaim({ name: "data", namespace: "default" });
    return c.status?.phase === "Bound" ? c : undefined;
  });
  await core.deleteNamespacedPersistentVolumeClaim({ name: "data", namespace: "default" });
  await eventually("the released volume to be deleted", async () =>
    (await core.listPersistentVolume()).items.some((v) => v.metadata?.name === claim.spec?.volumeName) ? undefined : true,
  );
  t.truthy(claim.spec?.volumeName);
});

test.serial("at rest the provisioner sends the apiserver no request: it watches, it does not poll", async (t) => {
  const before = await volumeRequests();
  // Long enough for a poll of any useful period to show; the assertion is on what the apiserver counted.
  await sleep(3_000);
  const after = await volumeRequests();
  t.deepEqual(after, before, "requests on claims and volumes while nothing changed");
});
