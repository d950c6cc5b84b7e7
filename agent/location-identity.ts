import { createHash } from "node:crypto";
import type { ImageLocation } from "../crds/types/index.js";
import type { GroupVersionKind } from "../reconcilers/index.js";

export const IMAGE_LOCATION: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" };

/**
 * Set by whoever records a build's result (orchest-api, or a test) on the ImageLocation of the building node:
 * that node's agent pushes instead of pulling, and every other agent then wants the image.
 */
export const BUILT_LABEL = "orchest.io/image-source";
export const BUILT_VALUE = "built";
/**
 * On a built location recorded by orchest-api: the name and UID of its ImageBuild. The location goes when the
 * build does (then every agent drops the image); labels, not an owner reference, since the Node owns it too and
 * the garbage collector deletes only what has no owner left.
 */
export const BUILD_NAME_LABEL = "orchest.io/image-build";
export const BUILD_UID_LABEL = "orchest.io/image-build-uid";

/** host:port at which the agent of the location's node serves its images to peers. */
export const PEER_ADDRESS_ANNOTATION = "orchest.io/peer-address";

/** Marks the ImageLocations an agent created itself (as opposed to the API's built ones). */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "orchest-node-agent";

/**
 * The name of the ImageLocation of `key` (a manifest digest, or the image reference while no digest is known)
 * on `node`: a readable stem from the repository plus a hash, so that every agent (and every restart) arrives
 * at the same name and a second create is an AlreadyExists, never a duplicate. DNS-1123, at most 63 chars.
 */
export function imageLocationName(image: string, key: string, node: string): string {
  const hash = createHash("sha256").update(`${key}\n${node}`).digest("hex").slice(0, 20);
  const repository = (image.split("/").pop() ?? "").replace(/[@:].*$/, "");
  const stem = repository.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30) || "image";
  return `${stem}-${hash}`;
}

export const isBuilt = (location: ImageLocation): boolean => location.metadata?.labels?.[BUILT_LABEL] === BUILT_VALUE;

/** Digest if known, else the reference: what makes two locations hold the same image. */
export const imageKey = (location: Pick<ImageLocation, "spec">): string => location.spec.digest ?? location.spec.image;
