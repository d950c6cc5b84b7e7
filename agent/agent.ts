import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageBuild, ImageLocation, OrchestCluster } from "../crds/types/index.js";
import { Manager, type GroupVersionKind, type KubeAccess, type KubeClient, type KubeObject, type Logger } from "../reconcilers/index.js";
import { PeerBlobServer, type PeerContent } from "./peer/blob-server.js";
import { type RegistryClient } from "./registry/client.js";
import { type RuntimeDriver } from "./runtime/driver.js";
import { IMAGE_LOCATION, imageKey } from "./location-identity.js";
import { BY_IMAGE, byImage, locationReconciler } from "./location-reconciler.js";
import { MirrorHosts } from "./mirror-hosts.js";
import { NodeIdentity } from "./node-identity.js";
import { PullSlots } from "./pull-slots.js";
import { wantedImages, type WantedView } from "./wanted.js";
import { wantedReconciler } from "./wanted-reconciler.js";

const IMAGE_BUILD: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild" };
const ORCHEST_CLUSTER: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster" };

export interface AgentOptions {
  readonly kubeConfig: KubeAccess;
  readonly node: string;
  /** Where ImageLocations, ImageBuilds and the OrchestCluster live. */
  readonly namespace: string;
  readonly driver: RuntimeDriver;
  readonly registry: RegistryClient;
  /** host:port of the in-cluster registry, as in image references. */
  readonly registryHost: string;
  readonly registryPlainHttp: boolean;
  /** The registry's CA (PEM), when its certificate is not one the runtime trusts by itself. */
  readonly registryCa?: string | Buffer;
  /**
   * Where the runtime reads its registry settings (containerd's config_path, docker's certs.d): the agent writes
   * the registry's entry there (its CA; on containerd the peers as mirrors). Absent: the runtime's as they are.
   */
  readonly hostsDir?: string;
  /** Serve this node's images to peers and pull from peers (containerd, with a hostsDir); absent: registry only. */
  readonly peers?: {
    readonly content: PeerContent;
    readonly listenHost: string;
    readonly listenPort: number;
    /** Address other agents reach; defaults to the listening one. */
    readonly advertise?: string;
  };
  /** /healthz, /readyz and /metrics; absent: no HTTP server. */
  readonly probes?: { readonly host: string; readonly port: number };
  readonly verifyEveryMs?: number;
  readonly maxPulls?: number;
  readonly maxPullsPerHost?: number;
  readonly waveFanout?: number;
  readonly waveTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface RunningAgent {
  readonly manager: Manager;
  readonly peer?: PeerBlobServer;
  stop(): Promise<void>;
}

/** The node-agent: two controllers on one manager (wanted images → this node's locations; each location → runtime). */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const manager = new Manager({
    kubeConfig: options.kubeConfig,
    name: `orchest-node-agent-${options.node}`,
    ...(options.logger && { logger: options.logger }),
    ...(options.probes && { probes: options.probes }),
  });
  const { informers, client } = manager;
  const scope = { namespace: options.namespace };
  const locations = informers.informerFor(IMAGE_LOCATION, scope);
  locations.addIndexer(BY_IMAGE, byImage);
  const builds = informers.informerFor(IMAGE_BUILD, scope);
  const clusters = informers.informerFor(ORCHEST_CLUSTER, scope);

  const wanted: WantedView = {
    cached: () =>
      wantedImages({
        builds: builds.list() as unknown as ImageBuild[],
        locations: locations.list() as unknown as ImageLocation[],
        clusters: clusters.list() as unknown as OrchestCluster[],
      }),
    fresh: async () => {
      const [b, l, c] = await Promise.all([IMAGE_BUILD, IMAGE_LOCATION, ORCHEST_CLUSTER].map((gvk) => listAll(client, gvk, options.namespace)));
      return wantedImages({ builds: b as unknown as ImageBuild[], locations: l as unknown as ImageLocation[], clusters: c as unknown as OrchestCluster[] });
    },
  };

  const peer = options.peers && (await PeerBlobServer.start({ content: options.peers.content, host: options.peers.listenHost, port: options.peers.listenPort }));
  const identity = new NodeIdentity(client, options.node, peer && (options.peers?.advertise ?? peer.address));
  const trust = options.hostsDir !== undefined ? trustRegistry(options.driver.runtime, options.hostsDir, options.registryHost, options.registryPlainHttp, options.registryCa) : undefined;
  if (options.peers && !trust) throw new Error("peers need the hosts dir where containerd reads the mirror entry (--hosts-dir)");
  const mirrors = options.peers ? trust : undefined;

  const maxPulls = options.maxPulls ?? 2;
  const locationController = manager.addController({
    name: "imagelocation",
    // Pulls wait on slots and waves; more workers than pull slots keep verification and pushes moving meanwhile.
    maxConcurrentReconciles: maxPulls + 2,
    reconciler: locationReconciler({
      client,
      identity,
      driver: options.driver,
      registry: options.registry,
      registryHost: options.registryHost,
      locations,
      wanted,
      slots: new PullSlots(maxPulls, options.maxPullsPerHost ?? 2),
      ...(mirrors && { mirrors }),
      verifyEveryMs: options.verifyEveryMs ?? 60_000,
      waveFanout: options.waveFanout ?? 1,
      waveTimeoutMs: options.waveTimeoutMs ?? 60_000,
      logger: manager.logger,
    }),
  });
  // Own locations wake themselves; another node's location of the same image wakes ours (its wave may have come).
  locationController.watch(locations, {
    map: (obj) =>
      (locations.byIndex(BY_IMAGE, imageKey(obj as unknown as ImageLocation)) as unknown as ImageLocation[])
        .filter((l) => l.spec.node === options.node)
        .map((l) => ({ namespace: l.metadata!.namespace!, name: l.metadata!.name! })),
  });

  const nodeKey = [{ namespace: options.namespace, name: options.node }];
  const wantedController = manager.addController({
    name: "wanted-images",
    reconciler: wantedReconciler({ client, namespace: options.namespace, identity, locations, wanted, locationQueue: locationController.queue, driver: options.driver, logger: manager.logger }),
  });
  for (const informer of [locations, builds, clusters]) wantedController.watch(informer, { map: () => nodeKey });

  await manager.start();
  return {
    manager,
    ...(peer && { peer }),
    async stop() {
      await manager.stop();
      await peer?.close();
      options.driver.close();
    },
  };
}

/**
 * Makes the node's runtime trust the registry: containerd through a hosts.toml (which also lists the peers),
 * docker through certs.d/<host>/ca.crt. Returns containerd's entry, for the peers.
 */
function trustRegistry(runtime: string, hostsDir: string, registryHost: string, plainHttp: boolean, ca: string | Buffer | undefined): MirrorHosts | undefined {
  if (runtime === "containerd") return new MirrorHosts(hostsDir, registryHost, plainHttp, ca);
  if (ca !== undefined) {
    mkdirSync(join(hostsDir, registryHost), { recursive: true });
    writeFileSync(join(hostsDir, registryHost, "ca.crt"), ca);
  }
  return undefined;
}

async function listAll(client: KubeClient, gvk: GroupVersionKind, namespace: string): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.list(gvk, { namespace, limit: 500, ...(token && { continue: token }) });
    items.push(...page.items);
    token = page.metadata.continue || undefined;
  } while (token);
  return items;
}
