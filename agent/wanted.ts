import type { ImageBuild, ImageLocation, OrchestCluster } from "../crds/types/index.js";
import { isBuilt } from "./location-identity.js";

/**
 * Platform images every node pre-pulls, listed on the OrchestCluster (comma or whitespace separated). A tag
 * is resolved to its digest by each agent; a reference with @sha256:… is pinned.
 */
export const PREPULL_ANNOTATION = "orchest.io/prepull-images";

export interface WantedImage {
  readonly image: string;
  /** Manifest digest when known: the key. Pre-pulled tags have none until resolved. */
  readonly digest?: string;
  /** The node whose build produced it: the API records that node's location as built, its agent does not pull. */
  readonly builtOn?: string;
}

/** The wanted images as the caches see them, and as the API server sees them right now (before a removal). */
export interface WantedView {
  cached(): Map<string, WantedImage>;
  fresh(): Promise<Map<string, WantedImage>>;
}

export interface WantedSources {
  readonly builds: readonly ImageBuild[];
  readonly locations: readonly ImageLocation[];
  readonly clusters: readonly OrchestCluster[];
}

/**
 * The images every node should hold: results of Succeeded builds that still exist (the API deletes the
 * ImageBuild of an image no longer in use), images recorded as built on some node, and the platform's
 * pre-pull list. Keyed by digest, so that two tags of one image are one entry.
 */
export function wantedImages({ builds, locations, clusters }: WantedSources): Map<string, WantedImage> {
  const wanted = new Map<string, WantedImage>();
  const add = (image: WantedImage) => {
    const key = image.digest ?? image.image;
    if (!wanted.has(key)) wanted.set(key, image);
  };
  for (const build of builds) {
    if (build.status?.phase === "Succeeded" && build.status.digest && !build.metadata?.deletionTimestamp) {
      add({ image: build.status.image ?? build.spec.image, digest: build.status.digest, ...(build.status.node && { builtOn: build.status.node }) });
    }
  }
  for (const location of locations) {
    if (isBuilt(location) && location.spec.digest && !location.metadata?.deletionTimestamp) {
      add({ image: location.spec.image, digest: location.spec.digest, builtOn: location.spec.node });
    }
  }
  for (const cluster of clusters) {
    for (const image of (cluster.metadata?.annotations?.[PREPULL_ANNOTATION] ?? "").split(/[\s,]+/).filter(Boolean)) {
      const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
      add(digest ? { image, digest } : { image });
    }
  }
  return wanted;
}

/** Whether `location` (on any node) stands for a wanted image: by digest, or by reference while unresolved. */
export function isWanted(location: ImageLocation, wanted: ReadonlyMap<string, WantedImage>): boolean {
  if (isBuilt(location)) return true;
  if (location.spec.digest && wanted.has(location.spec.digest)) return true;
  return [...wanted.values()].some((image) => image.image === location.spec.image && (!image.digest || !location.spec.digest));
}
