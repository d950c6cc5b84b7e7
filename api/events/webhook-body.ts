import { isJsonObject, type JsonObject, type JsonValue } from "./json.js";

/** What a receiver expects: Orchest's JSON payload, or the message shape of a chat tool's incoming webhook. */
export type WebhookFormat = "json" | "slack" | "discord" | "teams";

const DISCORD_MAX_CONTENT = 2000;

/** Orchest's rule for subscribers that name no format: the chat tools are recognised by their webhook URLs. */
export function formatForUrl(url: string): WebhookFormat {
  if (url.startsWith("https://hooks.slack.com/")) return "slack";
  if (url.startsWith("https://discord.com/api/webhooks/")) return "discord";
  if (URL.canParse(url) && new URL(url).hostname.endsWith("webhook.office.com")) return "teams";
  return "json";
}

export function webhookBody(format: WebhookFormat, eventType: string, payload: JsonObject): string {
  switch (format) {
    case "json":
      return JSON.stringify(payload);
    case "slack":
      return JSON.stringify({ text: escapeSlack(summary(eventType, payload)) });
    case "discord":
      return JSON.stringify({ content: summary(eventType, payload).slice(0, DISCORD_MAX_CONTENT) });
    case "teams":
      return JSON.stringify({ text: summary(eventType, payload) });
  }
}

/** One line for humans, e.g. "Orchest: project:one-off-job:pipeline-run:failed · project churn · job nightly · run FAILURE". */
export function summary(eventType: string, payload: JsonObject): string {
  const facts = [
    ["project", at(payload, "project", "name")],
    ["environment", at(payload, "project", "environment", "name")],
    ["pipeline", at(payload, "project", "pipeline", "name")],
    ["job", at(payload, "project", "job", "name")],
    ["run", at(payload, "project", "job", "pipeline_run", "status") ?? at(payload, "project", "job", "run", "pipeline_run", "status")],
    ["run", at(payload, "project", "pipeline", "session", "pipeline_run", "status")],
    ["build", at(payload, "project", "environment", "image_build", "status") ?? at(payload, "jupyter", "image_build", "status")],
  ].filter((fact): fact is [string, string] => fact[1] !== undefined);
  return [`Orchest: ${eventType}`, ...facts.map(([what, value]) => `${what} ${value}`)].join(" · ");
}

function at(value: JsonValue | undefined, ...path: string[]): string | undefined {
  for (const key of path) value = isJsonObject(value) ? value[key] : undefined;
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

/** Slack reads &, < and > as markup (links, mentions): user text must not trigger it. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
