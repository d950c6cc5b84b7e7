import type { ImageLocation, OrchestCluster } from "../../crds/types/index.js";
import type { GroupVersionKind, Informer, SharedInformers } from "../../reconcilers/index.js";
import { placementFor, type Placement, type Scope } from "./placement.js";

export const NODE: GroupVersionKind = { apiVersion: "v1", kind: "Node" };
export const IMAGE_LOCATION: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" };
export const ORCHEST_CLUSTER: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster" };

/** Placement from the shared caches of nodes, ImageLocations and OrchestClusters: no request per pod. */
export class ImagePlacer {
  readonly nodes: Informer;
  readonly locations: Informer;
  readonly clusters: Informer;

  /** `namespace` limits the ImageLocations and OrchestClusters read to the api's own namespace. */
  constructor(informers: SharedInformers, namespace?: string) {
    const scope = namespace ? { namespace } : {};
    this.nodes = informers.informerFor(NODE);
    this.locations = informers.informerFor(IMAGE_LOCATION, scope);
    this.clusters = informers.informerFor(ORCHEST_CLUSTER, scope);
  }

  /** Placement of a pod of `image` that will live in `namespace`. */
  place(image: string, scope: Scope, namespace: string): Placement {
    return placementFor(image, scope, {
      nodes: this.nodes.list(),
      locations: this.locations.list() as unknown as ImageLocation[],
      ...(this.workerNodeSelector(namespace) && { workerNodeSelector: this.workerNodeSelector(namespace) }),
    });
  }

  async waitForSync(): Promise<void> {
    await Promise.all([this.nodes, this.locations, this.clusters].map((i) => i.waitForSync()));
  }

  /** The worker plane of the OrchestCluster of `namespace`, else of the only one of the cluster (Orchest installs one). */
  workerNodeSelector(namespace: string): Record<string, string> | undefined {
    const all = this.clusters.list() as unknown as OrchestCluster[];
    const cluster = all.find((c) => c.metadata?.namespace === namespace) ?? (all.length === 1 ? all[0] : undefined);
    return cluster?.spec?.workerNodeSelector;
  }
}
