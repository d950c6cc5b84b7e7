import test from "ava";
import { summary, webhookBody } from "./webhook-body.js";

const payload = {
  type: "project:one-off-job:pipeline-run:failed",
  project: { name: "churn <model>", job: { name: "nightly & co", pipeline_run: { status: "FAILURE" } } },
};

test("JSON receivers get Orchest's notification payload as it is", (t) => {
  t.deepEqual(JSON.parse(webhookBody("json", payload.type, payload)), payload);
});

test("chat tools get one readable line in their own message shape", (t) => {
  t.is(summary(payload.type, payload), "Orchest: project:one-off-job:pipeline-run:failed · project churn <model> · job nightly & co · run FAILURE");
  t.deepEqual(JSON.parse(webhookBody("teams", payload.type, payload)), { text: summary(payload.type, payload) });
  t.deepEqual(JSON.parse(webhookBody("discord", payload.type, payload)), { content: summary(payload.type, payload) });
});

test("Slack text escapes what Slack would read as links or mentions", (t) => {
  const { text } = JSON.parse(webhookBody("slack", payload.type, payload)) as { text: string };
  t.true(text.includes("churn &lt;model&gt;"));
  t.true(text.includes("nightly &amp; co"));
});

test("Discord messages stay within Discord's 2000 characters", (t) => {
  const long = { project: { name: "x".repeat(5000) } };
  const { content } = JSON.parse(webhookBody("discord", "project:created", long)) as { content: string };
  t.is(content.length, 2000);
});
