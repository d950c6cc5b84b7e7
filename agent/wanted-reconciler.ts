import type { ImageLocation } from "../crds/types/index.js";
import { isAlreadyExists, objectKey, type Informer, type KubeClient, type KubeObject, type Logger, type Reconciler, type WorkQueue } from "../reconcilers/index.js";
import { IMAGE_LOCATION, imageLocationName, MANAGED_BY, MANAGED_BY_LABEL, PEER_ADDRESS_ANNOTATION } from "./location-identity.js";
import { type NodeIdentity } from "./node-identity.js";
import { type RuntimeDriver } from "./runtime/driver.js";
import { isWanted, type WantedImage, type WantedView } from "./wanted.js";

export interface WantedReconcilerOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly identity: NodeIdentity;
  readonly locations: Informer;
  readonly wanted: WantedView;
  /** The location controller's queue: unwanted locations of this node go there to be removed. */
  readonly locationQueue: WorkQueue;
  /** This node's runtime: images the agent pinned (its builds) that nothing wants any more are removed from it. */
  readonly driver: RuntimeDriver;
  readonly logger: Logger;
}

/**
 * One key for the whole node: creates this node's ImageLocation of every wanted image it lacks (a build's
 * own node excepted: the API records that one as built), hands locations that are no longer wanted to the
 * location controller for removal, and removes from the runtime the builds whose location is gone (deleted
 * with their ImageBuild): the runtime is the source of truth, so a build that no location stands for any
 * more is found there, also after the agent was down when its location went.
 */
export function wantedReconciler(options: WantedReconcilerOptions): Reconciler {
  const { client, namespace, identity } = options;
  const matches = (location: ImageLocation, image: WantedImage) =>
    image.digest ? location.spec.digest === image.digest : location.spec.image === image.image;

  return async () => {
    const wanted = options.wanted.cached();
    const mine = (options.locations.list(namespace) as unknown as ImageLocation[]).filter((l) => l.spec.node === identity.node);
    const owner = await identity.ownerReference();
    for (const image of wanted.values()) {
      if (image.builtOn === identity.node || mine.some((location) => matches(location, image))) continue;
      const body: KubeObject = {
        ...IMAGE_LOCATION,
        metadata: {
          name: imageLocationName(image.image, image.digest ?? image.image, identity.node),
          namespace,
          labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
          ...(identity.peerAddress && { annotations: { [PEER_ADDRESS_ANNOTATION]: identity.peerAddress } }),
          ...(owner && { ownerReferences: [owner] }),
        },
        spec: { image: image.image, ...(image.digest && { digest: image.digest }), node: identity.node },
      };
      // A create the cache has not shown yet, or another incarnation of this agent: the name is the same.
      await client.create(body).catch((error: unknown) => {
        if (!isAlreadyExists(error)) throw error;
      });
    }
    for (const location of mine) {
      if (!isWanted(location, wanted)) options.locationQueue.add(objectKey(location as unknown as KubeObject));
    }
    await removeAbandonedBuilds(mine, wanted);
  };

  /** Pinned (only the agent pins, and only builds) but neither wanted nor held by a location of this node. */
  async function removeAbandonedBuilds(mine: readonly ImageLocation[], wanted: ReadonlyMap<string, WantedImage>): Promise<void> {
    const held = new Set(mine.map((location) => location.spec.digest));
    const abandoned = (images: ReadonlyMap<string, WantedImage>) => (image: { pinned: boolean; digests: readonly string[] }) =>
      image.pinned && !image.digests.some((digest) => images.has(digest) || held.has(digest));
    const candidates = (await options.driver.list()).filter(abandoned(wanted));
    if (candidates.length === 0) return;
    // The caches may lag behind a build that wants it again: ask the API server right before removing.
    const fresh = await options.wanted.fresh();
    for (const image of candidates.filter(abandoned(fresh))) {
      await options.driver.remove(image.id);
      options.logger.info("removed a build of this node that nothing wants any more", { image: image.tags[0] ?? image.id, digests: image.digests });
    }
  }
}
