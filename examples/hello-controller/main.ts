#!/usr/bin/env node
/**
 * hello-controller: a controller written with the orchest-gitops engine alone. For every Greeting
 * (greeting.crd.yaml) it applies a ConfigMap holding the greeting, owned by the Greeting, and reports
 * the outcome as the Greeting's Ready condition. Edits to the ConfigMap are reverted; deleting the
 * Greeting lets the garbage collector delete the ConfigMap. Run as many replicas as you like: only
 * the holder of the Lease reconciles.
 *
 *   KUBECONFIG=... POD_NAMESPACE=default node main.js     (POD_NAMESPACE: where the Lease lives)
 */
import { KubeConfig } from "@kubernetes/client-node";
import {
  Applier,
  cacheReader,
  jsonLogger,
  Manager,
  setCondition,
  toControllerOwner,
  updateStatus,
  withControllerReference,
  type Condition,
  type KubeObject,
} from "orchest-gitops/reconcilers";

const GREETING = { apiVersion: "hello.example.com/v1", kind: "Greeting" };
const CONFIG_MAP = { apiVersion: "v1", kind: "ConfigMap" };
const MANAGED_BY = { "app.kubernetes.io/managed-by": "hello-controller" };

interface Greeting extends KubeObject {
  spec: { name: string; greeting?: string };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const manager = new Manager({
  kubeConfig,
  name: "hello-controller",
  leaderElection: { namespace: process.env.POD_NAMESPACE ?? "default" },
  probes: { port: Number(process.env.PROBE_PORT ?? 8080) },
  logger: jsonLogger({ fields: { controller: "hello-controller" } }),
});
const greetings = manager.informers.informerFor(GREETING);
const owned = { labelSelector: "app.kubernetes.io/managed-by=hello-controller" };
const ownedConfigMaps = manager.informers.informerFor(CONFIG_MAP, owned);
// Reads live objects from the cache the controller watches: a Greeting whose ConfigMap is as desired costs no request at all.
const applier = new Applier({ client: manager.client, live: cacheReader(manager.informers, owned), ownershipLabels: MANAGED_BY });

/** The ConfigMap a Greeting wants. */
function desiredConfigMap(greeting: Greeting): KubeObject {
  const { name, namespace } = greeting.metadata;
  const text = `${greeting.spec.greeting ?? "Hello"}, ${greeting.spec.name}!`;
  return withControllerReference({ ...CONFIG_MAP, metadata: { name: `greeting-${name}`, namespace }, data: { greeting: text } }, greeting);
}

/** Writes the Ready condition (and observedGeneration) only when they change. */
async function reportReady(greeting: Greeting, ready: boolean, reason: string, message: string): Promise<void> {
  const generation = greeting.metadata.generation;
  const conditions = setCondition(greeting.status?.conditions, { type: "Ready", status: ready ? "True" : "False", reason, message, observedGeneration: generation });
  await updateStatus(manager.client, greeting, { observedGeneration: generation, conditions });
}

manager
  .addController({
    name: "greetings",
    reconciler: async ({ namespace, name }) => {
      const greeting = greetings.get(`${namespace}/${name}`) as Greeting | undefined;
      // Gone or going: the ConfigMap's owner reference lets the garbage collector delete it.
      if (!greeting || greeting.metadata.deletionTimestamp) return;
      const configMap = desiredConfigMap(greeting);
      try {
        await applier.apply([configMap]);
      } catch (error) {
        await reportReady(greeting, false, "ApplyFailed", (error as Error).message);
        throw error; // retried with backoff
      }
      await reportReady(greeting, true, "Applied", `ConfigMap ${configMap.metadata.name} holds the greeting`);
    },
  })
  .watch(greetings)
  .watch(ownedConfigMaps, { map: toControllerOwner(GREETING) });

manager.stopOnSignals();
await manager.start();
