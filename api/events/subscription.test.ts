import test from "ava";
import fc from "fast-check";
import { deliveryName } from "./delivery-name.js";
import { matchesPattern, patternProblem } from "./event-pattern.js";
import { EVERYTHING, wants, type Subscription } from "./subscription.js";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

test("a wildcard pattern matches everything under its entity, including nested entities", (t) => {
  t.true(matchesPattern("project:one-off-job:*", "project:one-off-job:created"));
  t.true(matchesPattern("project:one-off-job:*", "project:one-off-job:pipeline-run:failed"));
  t.false(matchesPattern("project:one-off-job:*", "project:cron-job:created"));
  t.false(matchesPattern("project:one-off-job:*", "project:one-off-job"));
  t.true(matchesPattern("*", "jupyter:image-build:started"));
  t.true(matchesPattern("project:created", "project:created"));
  t.false(matchesPattern("project:created", "project:created:x"));
});

test("patterns that can never match are explained", (t) => {
  t.is(patternProblem("project:cron-job:*"), undefined);
  t.is(patternProblem("project:created"), undefined);
  t.regex(patternProblem("project:job:*") ?? "", /matches no event type/);
  t.regex(patternProblem("project:*:created") ?? "", /may only end a pattern/);
});

test("a subscription hears its event types within its scope only", (t) => {
  const failedRuns: Subscription = {
    eventTypes: ["project:one-off-job:pipeline-run:failed", "project:cron-job:run:pipeline-run:failed"],
    scope: { kind: "job", projectUuid: "p1", jobUuid: "j1" },
  };
  const type = "project:one-off-job:pipeline-run:failed";
  t.true(wants(failedRuns, { type, scope: { projectUuid: "p1", jobUuid: "j1" } }));
  t.false(wants(failedRuns, { type, scope: { projectUuid: "p1", jobUuid: "j2" } }), "another job");
  t.false(wants(failedRuns, { type, scope: { projectUuid: "p2", jobUuid: "j1" } }), "same job id, other project");
  t.false(wants(failedRuns, { type: "project:one-off-job:pipeline-run:succeeded", scope: { projectUuid: "p1", jobUuid: "j1" } }));

  const project: Subscription = { eventTypes: ["project:*"], scope: { kind: "project", projectUuid: "p1" } };
  t.true(wants(project, { type: "project:pipeline:created", scope: { projectUuid: "p1" } }));
  t.false(wants(project, { type: "project:pipeline:created", scope: { projectUuid: "p2" } }));
  t.false(wants(project, { type: "jupyter:image-build:started", scope: {} }), "jupyter builds belong to no project");
  t.true(wants(EVERYTHING, { type: "jupyter:image-build:started", scope: {} }));
});

test("recording an event twice names its delivery the same, so it is delivered once", (t) => {
  t.is(deliveryName("e-1", "slack-alerts"), deliveryName("e-1", "slack-alerts"));
  t.not(deliveryName("e-1", "slack-alerts"), deliveryName("e-2", "slack-alerts"));
  t.not(deliveryName("e-1", "slack-alerts"), deliveryName("e-1", "teams-alerts"));
  t.not(deliveryName("a-b", "c"), deliveryName("a", "b-c"));
  t.regex(deliveryName("e-1", "slack-alerts"), /^slack-alerts-[0-9a-f]{32}$/);
});

test("delivery names are valid Kubernetes object names whatever the inputs", (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (eventId, subscriber) => {
      const name = deliveryName(eventId, subscriber);
      return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
    }),
    { numRuns: 300 },
  );
  t.pass();
});
