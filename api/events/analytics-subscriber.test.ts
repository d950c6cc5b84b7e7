import test from "ava";
import type { Subscriber as SubscriberResource } from "../../crds/types/index.js";
import { KubeClient } from "../../reconcilers/index.js";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { installCrds } from "../../operator/install.js";
import { ANALYTICS_SUBSCRIBER, syncAnalyticsSubscriber } from "./analytics-subscriber.js";
import { SUBSCRIBER } from "./subscriber-resource.js";
import { createWebhook, listDeliveries, outboxFor, pipelineRunEvents } from "./test-support.js";

let client: KubeClient;
let ns: string;

test.before(async () => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "analytics-subscriber");
  client = new KubeClient(tb.kubeConfig);
});

const analyticsSubscriber = async () => (await client.get({ ...SUBSCRIBER, namespace: ns, name: ANALYTICS_SUBSCRIBER })) as unknown as SubscriberResource | undefined;

test.serial("telemetry on: the analytics Subscriber exists by itself, hears every event, and keeps its install id when the api starts again", async (t) => {
  t.is(await analyticsSubscriber(), undefined);
  await syncAnalyticsSubscriber(client, ns, {});
  const created = await analyticsSubscriber();
  t.is(created?.spec.type, "Analytics");
  const installId = created!.spec.analytics!.installId;
  t.regex(installId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a new install id, as Orchest's telemetry uuid");
  await syncAnalyticsSubscriber(client, ns, {});
  t.is((await analyticsSubscriber())?.spec.analytics?.installId, installId, "started again: the same install");
  await syncAnalyticsSubscriber(client, ns, { installId: "install-given" });
  t.is((await analyticsSubscriber())?.spec.analytics?.installId, "install-given", "an install id given by flag wins");

  // Every event type reaches it: a webhook that wants one type only beside it, for contrast.
  await createWebhook(client, ns, "only-started", "https://example.com/hook", { eventTypes: ["project:one-off-job:pipeline-run:started"] });
  const [created1, started] = pipelineRunEvents(1)[0]!;
  const outbox = outboxFor(client, ns, true);
  await outbox.record(created1!);
  await outbox.record(started!);
  const bySubscriber = (await listDeliveries(client, ns)).map((d) => `${d.spec.subscriber.name} ${d.spec.event.type}`).sort();
  t.deepEqual(
    bySubscriber,
    [
      `${ANALYTICS_SUBSCRIBER} project:one-off-job:pipeline-run:created`,
      `${ANALYTICS_SUBSCRIBER} project:one-off-job:pipeline-run:started`,
      "only-started project:one-off-job:pipeline-run:started",
    ].sort(),
  );
});

test.serial("telemetry off: no analytics Subscriber at all, the one made while it was on deleted", async (t) => {
  await syncAnalyticsSubscriber(client, ns, {});
  t.truthy(await analyticsSubscriber());
  await syncAnalyticsSubscriber(client, ns, undefined);
  t.is(await analyticsSubscriber(), undefined);
  await syncAnalyticsSubscriber(client, ns, undefined);
  t.is(await analyticsSubscriber(), undefined, "off twice: nothing to do, no error");
});
