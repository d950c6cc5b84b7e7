import test from "ava";
import { duration, parseApiOptions } from "./options.js";

test("defaults: Svix's schedule, 15 s timeout, no analytics, loopback refused", (t) => {
  const options = parseApiOptions([], {});
  t.like(options, { namespace: "orchest", listen: { host: "0.0.0.0", port: 8080 }, attemptTimeoutMs: 15_000, maxAttempts: 10, leaderElect: true, retentionMs: 86_400_000 });
  t.is(options.retryScheduleMs[0], 5_000);
  t.is(options.analytics, undefined);
  t.truthy(options.addressPolicy.refusal("127.0.0.1"));
  t.deepEqual(options.sessionIngress, { className: "nginx" });
});

test("sessions' Ingresses take the class and host Orchest's controller gives the api: INGRESS_CLASS and ORCHEST_FQDN", (t) => {
  t.deepEqual(parseApiOptions([], { INGRESS_CLASS: "nginx-orchest", ORCHEST_FQDN: "orchest.example.com" }).sessionIngress, { className: "nginx-orchest", host: "orchest.example.com" });
});

test("analytics needs both telemetry and a backend; loopback is allowed by its flag", (t) => {
  const backend = "--analytics-backend=https://eu.i.posthog.com";
  t.is(parseApiOptions(["--telemetry=false", backend], {}).analytics, undefined);
  t.like(parseApiOptions(["--telemetry=true", backend, "--webhook-allow-loopback"], { ORCHEST_ANALYTICS_API_KEY: "phc_1" }), {
    analytics: { host: "https://eu.i.posthog.com", apiKey: "phc_1" },
  });
  t.is(parseApiOptions(["--webhook-allow-loopback"], {}).addressPolicy.refusal("127.0.0.1"), undefined);
});

test("a bad flag is refused with the flag and the fix", (t) => {
  t.throws(() => parseApiOptions(["--retry-schedule=5s,soon"], {}), { message: /--retry-schedule: "soon" is not a duration. Fix: .*250ms/ });
  t.throws(() => parseApiOptions(["--listen=8080"], {}), { message: /--listen: "8080" is not HOST:PORT/ });
  t.throws(() => parseApiOptions(["--webhook-allow=10.0.0.0/x"], {}), { message: /--webhook-allow/ });
  t.is(duration("retention", "1.5s"), 1500);
});

test("the ranges webhooks may reach come from --webhook-allow, or else from $ORCHEST_WEBHOOK_ALLOW (the OrchestCluster's api env)", (t) => {
  const fromEnv = parseApiOptions([], { ORCHEST_WEBHOOK_ALLOW: "10.213.0.0/16, 192.168.7.0/24" }).addressPolicy;
  t.is(fromEnv.refusal("10.213.16.1"), undefined);
  t.is(fromEnv.refusal("192.168.7.9"), undefined);
  t.truthy(fromEnv.refusal("10.1.0.1"), "other private ranges stay refused");
  const flag = parseApiOptions(["--webhook-allow=10.1.0.0/16"], { ORCHEST_WEBHOOK_ALLOW: "10.213.0.0/16" }).addressPolicy;
  t.is(flag.refusal("10.1.0.1"), undefined);
  t.truthy(flag.refusal("10.213.16.1"), "the flag replaces the env");
  t.throws(() => parseApiOptions([], { ORCHEST_WEBHOOK_ALLOW: "10.0.0.0/x" }), { message: /--webhook-allow/ });
});

test("telemetry and its backend come from Orchest's TELEMETRY_DISABLED and ORCHEST_ANALYTICS_BACKEND (the OrchestCluster's api env) when no flag says; flags win", (t) => {
  const env = { TELEMETRY_DISABLED: "False", ORCHEST_ANALYTICS_BACKEND: "https://eu.i.posthog.com", ORCHEST_ANALYTICS_API_KEY: "phc_1" };
  t.like(parseApiOptions([], env).analytics, { host: "https://eu.i.posthog.com", apiKey: "phc_1" });
  t.is(parseApiOptions([], { ...env, TELEMETRY_DISABLED: "TRUE" }).analytics, undefined, "Orchest's values are case-insensitive");
  t.is(parseApiOptions([], { ...env, TELEMETRY_DISABLED: undefined }).analytics, undefined, "off unless enabled");
  t.is(parseApiOptions(["--telemetry=false"], env).analytics, undefined, "the flag wins");
  t.like(parseApiOptions(["--analytics-backend=https://us.i.posthog.com"], env).analytics, { host: "https://us.i.posthog.com" });
  t.throws(() => parseApiOptions([], { TELEMETRY_DISABLED: "maybe" }), { message: /TELEMETRY_DISABLED \(spec\.orchest\.orchestApi\.env\): "maybe" must be true or false/ });
});
