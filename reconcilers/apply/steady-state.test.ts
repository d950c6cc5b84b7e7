import test from "ava";
import { apiserverGet, startControlPlane } from "../../testbed/index.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import { apiserverWrites, stackManifests } from "../testing.js";
import { Applier } from "./applier.js";
import { cacheReader } from "./live.js";

// A private control plane: no other writer, so the apiserver's own request counter is ours alone.
const RESOURCES = new Set(["namespaces", "deployments", "services", "configmaps", "secrets", "serviceaccounts", "roles", "rolebindings",
  "persistentvolumeclaims", "ingresses", "daemonsets", "clusterroles", "clusterrolebindings"]);

test("steady state makes zero writes: 31 objects of 12 kinds applied 100 times after convergence", async (t) => {
  const cp = await startControlPlane();
  t.teardown(() => cp.stop());
  const kc = cp.kubeConfig();
  const client = new KubeClient(kc);
  const informers = new SharedInformers(client);
  informers.start();
  t.teardown(async () => {
    await informers.stop();
    client.close();
  });
  const applier = new Applier({ client, live: cacheReader(informers), ownershipLabels: { "app.kubernetes.io/managed-by": "steady-state-test" } });
  const desired = stackManifests("steady", 3);
  t.is(desired.length, 31);

  const first = await applier.apply(desired);
  t.is(first.created.length, 31);
  const again = await applier.apply(desired, first.inventory);
  t.is(again.unchanged.length, 31, "converged at once, even before the cache saw our writes");

  const writesBefore = client.counter.writes();
  const serverBefore = apiserverWrites(await apiserverGet(kc, "/metrics"), RESOURCES);
  for (let i = 0; i < 100; i++) {
    const changes = await applier.apply(desired, first.inventory);
    if (changes.unchanged.length !== 31) t.fail(`apply ${i} changed something: ${JSON.stringify(changes)}`);
  }
  t.is(client.counter.writes() - writesBefore, 0, "our request counter saw no create/update/patch/delete");
  t.is(apiserverWrites(await apiserverGet(kc, "/metrics"), RESOURCES) - serverBefore, 0, "apiserver_request_total saw no write either");
  t.log(`all requests of this test (discovery, lists, watches, the 31 creates): ${JSON.stringify(client.counter.snapshot())}`);
});

