import test from "ava";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { SharedInformers } from "../cache/shared-informers.js";
import { KubeClient } from "../client/client.js";
import { Controller } from "../controller/controller.js";
import { waitFor } from "../testing.js";
import { startCollector, type Collector, type OtlpSpan } from "./testing/collector.js";

// A real OTLP receiver on loopback: an OpenTelemetry Collector, writing what it accepted to a file the test reads.
let collector: Collector | undefined;

test.before(async () => {
  collector = await startCollector();
  // Read at the engine's first span: tracing is on because the environment names an endpoint.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
  process.env.OTEL_BSP_SCHEDULE_DELAY = "100";
});

test.after.always(() => collector?.stop());

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value && Object.values(value)[0];
};
const SPAN_KIND_CLIENT = 3;

test("a reconcile is one span with the object's key and result, and its API requests are child spans", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "tracing");
  const client = new KubeClient(tb.kubeConfig);
  const informers = new SharedInformers(client);
  const CM = { apiVersion: "v1", kind: "ConfigMap" };
  const controller = new Controller({
    name: "traced",
    reconciler: async ({ namespace, name }) => {
      await client.patch({ ...CM, namespace: namespace!, name }, { metadata: { annotations: { seen: "yes" } } }, "merge");
    },
  });
  controller.watch(informers.informerFor(CM, { namespace: ns }));
  informers.start();
  await controller.start();
  t.teardown(async () => {
    await controller.stop();
    await informers.stop();
    client.close();
  });

  await client.create({ ...CM, metadata: { name: "hello", namespace: ns } });
  const key = `${ns}/hello`;
  const received = () => collector!.spans();
  const reconcileOf = () => received().find((s) => s.name === "reconcile traced" && attribute(s, "k8s.object.key") === key);
  const childrenOf = (parent: OtlpSpan) => received().filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);
  await waitFor("the reconcile span and its request spans at the receiver", () => {
    const span = reconcileOf();
    return span !== undefined && childrenOf(span).length > 0;
  });
  const span = reconcileOf()!;
  t.is(attribute(span, "k8s.controller.name"), "traced");
  t.is(attribute(span, "k8s.reconcile.result"), "success");
  const [patch] = childrenOf(span);
  t.is(patch!.kind, SPAN_KIND_CLIENT);
  t.is(attribute(patch!, "http.request.method"), "PATCH");
  t.is(attribute(patch!, "url.path"), `/api/v1/namespaces/${ns}/configmaps/hello`);
  t.is(Number(attribute(patch!, "http.response.status_code")), 200);
});
