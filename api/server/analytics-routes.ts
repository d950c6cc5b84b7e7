import type { ClientEventType, JsonObject } from "../events/index.js";
import { parseRelayBody, RELAY_BODY_LIMIT_BYTES } from "../events/index.js";
import { readLimitedBody } from "./body.js";
import type { RateLimiter } from "./rate-limit.js";
import { replyJson, type ApiServer } from "./server.js";

export interface AnalyticsRelayOptions {
  /** Records the front end's event for the analytics subscribers (nothing, with telemetry off). */
  relay: (type: ClientEventType, properties: JsonObject) => Promise<unknown>;
  /** Per client address. */
  limiter: RateLimiter;
  limitBytes?: number;
}

/**
 * POST /analytics, the front end's relay to the analytics backend: `{event, properties}` for known client
 * event types only. Answers 202 once recorded; 400 or 413 naming the field and the reason; 429 with
 * Retry-After when a client sends too fast.
 */
export function registerAnalyticsRoutes(server: ApiServer, options: AnalyticsRelayOptions): void {
  const limitBytes = options.limitBytes ?? RELAY_BODY_LIMIT_BYTES;
  server.route("POST", "/analytics", async (req, res) => {
    const waitMs = options.limiter.take(req.socket.remoteAddress ?? "unknown");
    if (waitMs > 0) {
      req.resume();
      const retryAfter = String(Math.ceil(waitMs / 1000));
      return replyJson(res, 429, { error: `too many analytics events from this client; retry after ${retryAfter} s` }, { "retry-after": retryAfter });
    }
    const read = await readLimitedBody(req, limitBytes);
    if (!read.ok) return replyJson(res, read.status, { field: "body", error: `body ${read.reason}` }, { connection: "close" });
    const body = parseRelayBody(read.body, limitBytes);
    if (!body.ok) return replyJson(res, body.status, { field: body.field, error: `${body.field} ${body.reason}` });
    await options.relay(body.event, body.properties);
    replyJson(res, 202, { accepted: body.event });
  });
}
