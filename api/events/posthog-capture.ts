import type { EventRecord } from "../../crds/types/index.js";
import type { DeliveryRequest } from "./delivery-client.js";

/** Where telemetry goes and as whom: the PostHog-compatible backend Orchest used. */
export interface AnalyticsBackend {
  /** e.g. https://eu.i.posthog.com, or a self-hosted PostHog. */
  host: string;
  /** The project's write-only API key. */
  apiKey: string;
  /** Anonymous id of this install (Orchest's TELEMETRY_UUID): the only identity telemetry carries. */
  installId: string;
  orchestVersion: string;
}

/**
 * The capture request of one recorded event, whose payload is already its telemetry payload (taken at
 * recording). The event id is PostHog's `uuid`, so a retried capture is deduplicated rather than counted
 * twice; person profiles are off because the distinct id is an install, not a person.
 */
export function captureRequest(backend: AnalyticsBackend, event: EventRecord): DeliveryRequest {
  return {
    url: new URL("/i/v0/e/", backend.host).toString(),
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      api_key: backend.apiKey,
      event: event.type,
      distinct_id: backend.installId,
      uuid: event.id,
      timestamp: event.timestamp,
      properties: {
        ...event.payload,
        app_properties: { orchest_version: backend.orchestVersion },
        $process_person_profile: false,
        $lib: "orchest-gitops",
      },
    }),
  };
}
