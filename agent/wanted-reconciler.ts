import type { ImageLocation } from "../crds/types/index.js";
import { isAlreadyExists, objectKey, type Informer, type KubeClient, type KubeObject, type Reconciler, type WorkQueue } from "../reconcilers/index.js";
import { IMAGE_LOCATION, imageLocationName, MANAGED_BY, MANAGED_BY_LABEL, PEER_ADDRESS_ANNOTATION } from "./location-identity.js";
import { type NodeIdentity } from "./node-identity.js";
import { isWanted, type WantedImage, type WantedView } from "./wanted.js";

export interface WantedReconcilerOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly identity: NodeIdentity;
  readonly locations: Informer;
  readonly wanted: WantedView;
  /** The location controller's queue: unwanted locations of this node go there to be removed. */
  readonly locationQueue: WorkQueue;
}

/**
 * One key for the whole node: creates this node's ImageLocation of every wanted image it lacks (a build's
 * own node excepted: the API records that one as built), and hands locations that are no longer wanted to the
 * location controller for removal.
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
  };
}
