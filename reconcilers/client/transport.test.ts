import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { Informer } from "../cache/informer.js";
import { waitFor } from "../testing.js";
import { KubeClient } from "./client.js";
import { FaultProxy, faultProxyUnavailable } from "./testing/fault-proxy.js";

const CM = { apiVersion: "v1", kind: "ConfigMap" };
const withFaultProxy: typeof test.skip = faultProxyUnavailable() ? test.skip : test;
let namespace: Promise<string> | undefined;
const testNamespace = () => (namespace ??= useTestbed().then((tb) => createTestNamespace(tb.kubeConfig, "transport")));

/** The outcome of `call`: "answered", its error's message, or "hung" when neither came within a minute. */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  // Only to turn a hang into a failure; the bounds under test are far shorter.
  const hung = new Promise<string>((resolve) => setTimeout(resolve, 60_000, "hung").unref());
  return Promise.race([call.then(() => "answered", (err: Error) => err.message), hung]);
}

withFaultProxy("a request on a black-holed connection fails, naming the request and its bound, instead of hanging", async (t) => {
  const tb = await useTestbed();
  const ns = await testNamespace();
  const proxy = await FaultProxy.start(tb.kubeConfig);
  const client = new KubeClient(proxy.kubeConfig(tb.kubeConfig), { requestTimeoutMs: 5000 });
  t.teardown(async () => {
    client.close();
    await proxy.close();
  });
  const ref = { ...CM, namespace: ns, name: "unanswered" };
  t.is(await outcomeOf(client.get(ref)), "answered", "through the proxy before it goes silent");
  proxy.goSilent();
  t.regex(await outcomeOf(client.get(ref)), /^GET \/api\/v1\/namespaces\/transport-\w+\/configmaps\/unanswered: no answer within 5000 ms$/);
});

test("open watches do not hold the sockets requests need: with 2 request sockets and 4 watches open, a GET is answered", async (t) => {
  const tb = await useTestbed();
  const ns = await testNamespace();
  const client = new KubeClient(tb.kubeConfig, { maxSockets: 2 });
  const informers = [0, 1, 2, 3].map((i) => new Informer(client, CM, { namespace: ns, labelSelector: `watch=w${i}` }));
  t.teardown(async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
    client.close();
  });
  for (const informer of informers) informer.start();
  // A watch is counted once the server answered it: from then on it holds its connection.
  await waitFor("4 watches open", () => client.counter.count("watch") >= 4, 30_000);
  t.is(await outcomeOf(client.get({ ...CM, namespace: ns, name: "any" })), "answered");
});
