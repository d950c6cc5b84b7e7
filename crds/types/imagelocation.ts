/* eslint-disable */
// Generated from crds/imagelocations.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * ImageLocation records that an image is wanted on (and, in its status, whether it is present on) one node. The node-agent of that node makes it so through the node's container runtime; the scheduler logic of orchest-api reads it to place interactive pods on nodes that hold the image. `kubectl get il --field-selector spec.node=NODE` lists the images of a node.
 */
export interface ImageLocation {
  /**
   * APIVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  kind?: string;
  /**
   * Standard object metadata.
   */
  metadata?: ObjectMeta;
  /**
   * Which image is wanted on which node.
   */
  spec: ImageLocationSpec;
  /**
   * Presence of the image on the node, as observed by the node's agent through its container runtime.
   */
  status?: ImageLocationStatus;
}

/**
 * Which image is wanted on which node.
 */
export interface ImageLocationSpec {
  /**
   * Image reference, e.g. 10.96.0.10/orchest-env-1a2b-3c4d:7. Immutable.
   */
  image: string;
  /**
   * Content digest of the image (sha256:<64 hex>). Locations are keyed by digest when it is known: set it once the image is built or resolved; it cannot change afterwards.
   */
  digest?: string;
  /**
   * Name of the node the image is wanted on. Immutable.
   */
  node: string;
}

/**
 * Presence of the image on the node, as observed by the node's agent through its container runtime.
 */
export interface ImageLocationStatus {
  /**
   * The .metadata.generation the agent last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending: not acted on yet; Pulling: being pulled or pushed; Present: in the node's runtime; Failed: could not be made present (see reason); Evicted: was present and removed by the node (e.g. image garbage collection), to be pulled again.
   */
  phase?: "Pending" | "Pulling" | "Present" | "Failed" | "Evicted";
  /**
   * Machine readable CamelCase reason of the current phase, e.g. PullBackOff, ImageGarbageCollected, RegistryUnavailable.
   */
  reason?: string;
  /**
   * Human readable explanation of the current phase.
   */
  message?: string;
  /**
   * How the image came onto the node: built (an ImageBuild ran on this node) or pulled (from the registry or a peer node).
   */
  source?: "built" | "pulled";
  /**
   * While Pulling: where the pull comes from, the name of the peer node or `registry`. The other nodes' agents count the pulls each source feeds from it, to start theirs on a source with a free feed.
   */
  pullingFrom?: string;
  /**
   * Whether the agent pushed this node's copy to the in-cluster registry (only for built images).
   */
  pushedToRegistry?: boolean;
  /**
   * Size of the image on the node, in bytes.
   */
  size?: number;
  /**
   * When the agent found the image present in the node's runtime (after a pull or a build, or again after an eviction). Later checks that find it still there are not written (a write per image per check would keep the apiserver busy at rest): the node-agent pod being Ready says they go on.
   */
  lastVerifiedTime?: string;
  /**
   * Standard Kubernetes conditions of the object.
   */
  conditions?: Condition[];
}
