#!/usr/bin/env node
// The api process: a manager running the api's controllers over its CRDs, and the api's HTTP server.
import { loadKubeConfig, Manager } from "../reconcilers/index.js";
import { addImageBuildController, BuildLogs, IMAGE_BUILD, podLogSource, recordBuildEvents, registerBuildLogRoutes } from "./builds/index.js";
import { addPipelineRunController, recordRunEvents } from "./pipelines/index.js";
import { addGitImportController } from "./git/index.js";
import { addEnvironmentShellController, addSessionController, recordSessionEvents } from "./sessions/index.js";
import { addEventDeliveryController, asSubscriber, DeliveryClient, DEFAULT_RETRY_POLICY, Outbox, SUBSCRIBER, syncAnalyticsSubscriber } from "./events/index.js";
import { parseApiOptions, USAGE } from "./options.js";
import { registerAnalyticsRoutes } from "./server/analytics-routes.js";
import { registerAuthUserRoutes } from "./server/auth-user-routes.js";
import { registerHealthRoutes } from "./server/health-routes.js";
import { RateLimiter } from "./server/rate-limit.js";
import { ApiServer } from "./server/server.js";

/** The front end sends a handful of events per page view; this leaves room for bursts, not for floods. */
const RELAY_EVENTS_PER_SECOND = 5;
const RELAY_BURST = 30;

function options() {
  const args = process.argv.slice(2);
  if (args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  try {
    return parseApiOptions(args);
  } catch (err) {
    process.stderr.write(`orchest-api: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const kubeConfig = await loadKubeConfig();
  const manager = new Manager({
    kubeConfig,
    name: "orchest-api",
    ...(opts.leaderElect ? { leaderElection: { namespace: opts.namespace } } : {}),
  });
  const scope = { namespace: opts.namespace };

  const http = new DeliveryClient({ addressPolicy: opts.addressPolicy, timeoutMs: opts.attemptTimeoutMs, maxSocketsPerEndpoint: opts.connectionsPerEndpoint });
  const deliveries = addEventDeliveryController(manager, {
    namespace: opts.namespace,
    http,
    retryPolicy: { ...DEFAULT_RETRY_POLICY, scheduleMs: opts.retryScheduleMs, maxAttempts: opts.maxAttempts },
    retentionMs: opts.retentionMs,
    maxInFlightPerEndpoint: opts.connectionsPerEndpoint,
    ...(opts.analytics ? { analytics: opts.analytics } : {}),
  });
  const subscribers = manager.informers.informerFor(SUBSCRIBER, scope);
  const outbox = new Outbox({
    client: manager.client,
    namespace: opts.namespace,
    subscribers: async () => {
      await subscribers.waitForSync();
      return subscribers.list().map(asSubscriber);
    },
    analytics: opts.analytics !== undefined,
  });

  addImageBuildController(manager, {
    ...scope,
    builderImages: opts.builderImages,
    ...(opts.registryHost && { registryHost: opts.registryHost }),
    onTransition: recordBuildEvents(outbox),
  });
  addGitImportController(manager, { ...scope, gitImage: opts.gitImage });
  addSessionController(manager, { ...scope, jupyterImage: opts.jupyterImage, ingress: opts.sessionIngress, onTransition: recordSessionEvents(outbox) });
  addEnvironmentShellController(manager, scope);
  addPipelineRunController(manager, { ...scope, onTransition: recordRunEvents(outbox), ...(opts.registryHost && { registryHost: opts.registryHost }) });
  const buildLogs = new BuildLogs({ source: podLogSource(manager.client.transport), builds: manager.informers.informerFor(IMAGE_BUILD, scope) });

  const server = new ApiServer(manager.logger);
  registerBuildLogRoutes(server, buildLogs, opts.namespace);
  registerHealthRoutes(server, { ready: () => manager.informers.hasSynced(), registry: manager.metrics.registry });
  registerAuthUserRoutes(server, { client: manager.client, namespace: opts.namespace });
  registerAnalyticsRoutes(server, { relay: (type, properties) => outbox.relay(type, properties), limiter: new RateLimiter(RELAY_EVENTS_PER_SECOND, RELAY_BURST) });

  await syncAnalyticsSubscriber(manager.client, opts.namespace, opts.analytics && { installId: opts.installId });
  const address = await server.listen(opts.listen.host, opts.listen.port);
  await manager.start();
  manager.logger.info("listening", { address: `${address.address}:${address.port}`, analytics: opts.analytics !== undefined });

  const stop = async () => {
    await server.close();
    await buildLogs.close();
    await deliveries.stop();
    await manager.stop();
    http.close();
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}

main().catch((err: Error) => {
  process.stderr.write(`orchest-api: ${err.message}\n`);
  process.exit(1);
});
