import { randomUUID } from "node:crypto";
import type { Subscriber as SubscriberResource } from "../../crds/types/index.js";
import { isAlreadyExists, type KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { SUBSCRIBER } from "./subscriber-resource.js";

/** The one analytics Subscriber the api keeps, as orchest-api kept one AnalyticsSubscriber row. */
export const ANALYTICS_SUBSCRIBER = "orchest-analytics";

/**
 * Telemetry on (`telemetry` given): the analytics Subscriber exists, hearing every event (an Analytics subscriber
 * wants everything), as this install: the install id given, else the one it already has, else a new UUID kept
 * from then on. Telemetry off: it does not exist. Run when the api starts, as orchest-api upserted its analytics
 * subscriber at start.
 */
export async function syncAnalyticsSubscriber(client: KubeClient, namespace: string, telemetry: { installId?: string } | undefined): Promise<void> {
  const ref = { ...SUBSCRIBER, namespace, name: ANALYTICS_SUBSCRIBER };
  if (!telemetry) {
    await client.delete(ref);
    return;
  }
  const existing = (await client.get(ref)) as unknown as SubscriberResource | undefined;
  const installId = telemetry.installId || existing?.spec.analytics?.installId || randomUUID();
  if (!existing) {
    try {
      await client.create({
        ...SUBSCRIBER,
        metadata: { name: ANALYTICS_SUBSCRIBER, namespace, labels: { "app.kubernetes.io/managed-by": "orchest-api" } },
        spec: { type: "Analytics", analytics: { installId } },
      } as KubeObject);
      return;
    } catch (err) {
      // Another replica of the api made it first: the same Subscriber, so the same outcome.
      if (isAlreadyExists(err)) return;
      throw err;
    }
  }
  if (existing.spec.type !== "Analytics" || existing.spec.analytics?.installId !== installId) {
    await client.patch(ref, { spec: { type: "Analytics", webhook: null, analytics: { installId } } }, "merge");
  }
}
