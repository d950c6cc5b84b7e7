import type { ImageLocation, ImageLocationStatus } from "../crds/types/index.js";
import { refOf, updateStatus, type Informer, type KubeClient, type KubeObject, type Logger, type Reconciler, type Result } from "../reconcilers/index.js";
import { InvalidReferenceError, PlatformMismatchError } from "./registry/errors.js";
import { type RegistryClient } from "./registry/client.js";
import { hostPlatform } from "./registry/manifest.js";
import { formatReference, parseReference, tagOrDefault, type ImageReference } from "./registry/reference.js";
import { resolveImage } from "./registry/resolve.js";
import { type RuntimeDriver, type RuntimeImage } from "./runtime/driver.js";
import { imageKey, isBuilt, PEER_ADDRESS_ANNOTATION } from "./location-identity.js";
import { type MirrorHosts } from "./mirror-hosts.js";
import { type NodeIdentity } from "./node-identity.js";
import { type PullSlots } from "./pull-slots.js";
import { isWanted, type WantedView } from "./wanted.js";
import { pullTurn, REGISTRY, type Holder, type Turn } from "./wave.js";

/** Index of the locations informer: every node's location of one image (digest, or reference while unresolved). */
export const BY_IMAGE = "image";

export interface LocationReconcilerOptions {
  readonly client: KubeClient;
  readonly identity: NodeIdentity;
  readonly driver: RuntimeDriver;
  readonly registry: RegistryClient;
  /** The in-cluster registry: peers stand in for it (only for it: the mirror entry is written for this host). */
  readonly registryHost: string;
  readonly locations: Informer;
  readonly wanted: WantedView;
  readonly slots: PullSlots;
  /** Absent: peers are off, every pull goes to the registry. */
  readonly mirrors?: MirrorHosts;
  readonly verifyEveryMs: number;
  readonly waveFanout: number;
  /** After this long waiting for its turn, a puller goes to the registry anyway (a holder's agent may be dead). */
  readonly waveTimeoutMs: number;
  readonly logger: Logger;
}

/** Failures that retrying cannot fix: reported as Failed and left alone until the object changes. */
const permanent = (error: unknown) => error instanceof InvalidReferenceError || error instanceof PlatformMismatchError;

/**
 * Makes the runtime of this node match one of its ImageLocations, and says how it went in status:
 * a built location is pushed (then pinned); any other is pulled in its wave, from a peer if one holds it;
 * a present one is verified every `verifyEveryMs` (Evicted, then pulled again, when the runtime lost it), and a
 * verification that finds it still there writes nothing, however long it stays: a node holding many images is quiet;
 * an unwanted one is removed from the runtime, after a fresh check, and deleted.
 */
export function locationReconciler(options: LocationReconcilerOptions): Reconciler {
  const { client, identity, driver, locations, logger } = options;
  const waitingSince = new Map<string, number>();

  const setStatus = async (location: ImageLocation, change: ImageLocationStatus): Promise<ImageLocation> => {
    // pullingFrom says where a running pull comes from: it goes with any other phase (a stale one would take a feed).
    const { pullingFrom: _, ...kept } = location.status ?? {};
    const status = { ...kept, observedGeneration: location.metadata?.generation, ...change };
    return ((await updateStatus(client, location as unknown as KubeObject, status as Record<string, unknown>)) as unknown as ImageLocation | undefined) ?? location;
  };

  const fail = async (location: ImageLocation, error: unknown, fallbackReason: string): Promise<void> => {
    const reason = (error as { reason?: string }).reason ?? fallbackReason;
    await setStatus(location, { phase: "Failed", reason, message: (error as Error).message });
    if (!permanent(error)) throw error;
  };

  const present = async (location: ImageLocation, image: RuntimeImage, change: ImageLocationStatus): Promise<Result> => {
    const wasPresent = location.status?.phase === "Present" && location.status.lastVerifiedTime !== undefined;
    await setStatus(location, {
      phase: "Present",
      ...(wasPresent ? {} : { reason: "Present", message: `in the node's ${driver.runtime}` }),
      size: image.size,
      lastVerifiedTime: wasPresent ? location.status!.lastVerifiedTime! : new Date().toISOString(),
      ...change,
    });
    return { requeueAfter: options.verifyEveryMs };
  };

  /** Owner (the Node) and peer address, as this agent says them; written only when they differ. */
  const ensureMetadata = async (location: ImageLocation): Promise<void> => {
    const owner = await identity.ownerReference();
    const owners = location.metadata?.ownerReferences ?? [];
    const missingOwner = owner && !owners.some((ref) => ref.uid === owner.uid);
    const annotated = location.metadata?.annotations?.[PEER_ADDRESS_ANNOTATION];
    if (!missingOwner && annotated === identity.peerAddress) return;
    await client.patch(
      refOf(location as unknown as KubeObject),
      { metadata: { annotations: { [PEER_ADDRESS_ANNOTATION]: identity.peerAddress ?? null }, ...(missingOwner && { ownerReferences: [...owners, owner] }) } },
      "merge",
    );
  };

  const removeUnwanted = async (location: ImageLocation): Promise<void> => {
    // The caches may lag behind a build that wants this image again: ask the API server right before removing.
    const current = (await client.get(refOf(location as unknown as KubeObject))) as unknown as ImageLocation | undefined;
    if (!current || isWanted(current, await options.wanted.fresh())) return;
    if (current.status?.source === "pulled" && current.spec.digest) await driver.remove(current.spec.digest);
    await client.delete(refOf(current as unknown as KubeObject), { uid: current.metadata!.uid! });
    logger.info("removed an image no longer wanted", { image: current.spec.image, digest: current.spec.digest });
  };

  const reconcileBuilt = async (location: ImageLocation, digest: string): Promise<Result | void> => {
    const image = await driver.inspect(digest);
    if (!image) {
      if (location.status?.pushedToRegistry) return reconcilePulled(location, parseReference(location.spec.image), digest);
      await setStatus(location, { phase: "Failed", reason: "BuiltImageMissing", message: `${digest} is not in this node's ${driver.runtime} and was never pushed` });
      return { requeueAfter: options.verifyEveryMs };
    }
    if (!location.status?.pushedToRegistry) {
      const pushing = await setStatus(location, { phase: "Pulling", reason: "Pushing", message: `pushing to ${location.spec.image}` });
      try {
        const pushed = await driver.push(digest, location.spec.image);
        await driver.pin(digest);
        return await present(pushing, image, { source: "built", pushedToRegistry: true, reason: "Pushed", message: `built here, pushed ${pushed.blobsUploaded} blobs (${pushed.bytesUploaded} bytes) to the registry` });
      } catch (error) {
        return fail(pushing, error, "PushFailed");
      }
    }
    return present(location, image, { source: "built" });
  };

  const turnFor = (location: ImageLocation, ref: ImageReference, digest: string): Turn => {
    const others = locations.byIndex(BY_IMAGE, digest) as unknown as ImageLocation[];
    const seeds = others.filter(isBuilt);
    const registryHasIt = seeds.length === 0 || seeds.some((l) => l.status?.pushedToRegistry);
    if (!options.mirrors || ref.registry !== options.registryHost) {
      return registryHasIt ? { start: true, from: REGISTRY } : { start: false, reason: "WaitingForSource", message: "the building node has not pushed the image yet" };
    }
    const holders: Holder[] = others.map((l) => ({
      node: l.spec.node,
      phase: l.status?.phase,
      seed: isBuilt(l),
      ...(l.status?.pullingFrom && { pullingFrom: l.status.pullingFrom }),
      ...(l.metadata?.annotations?.[PEER_ADDRESS_ANNOTATION] && { peerAddress: l.metadata.annotations[PEER_ADDRESS_ANNOTATION] }),
    }));
    if (!holders.some((h) => h.node === identity.node)) holders.push({ node: identity.node, phase: location.status?.phase, seed: false });
    return pullTurn(identity.node, digest, holders, { fanout: options.waveFanout, registryHasIt });
  };

  const reconcilePulled = async (location: ImageLocation, ref: ImageReference, digest: string): Promise<Result | void> => {
    const image = await driver.inspect(digest);
    if (image) {
      // Held by digest, but its tag removed (ctr images rm, docker rmi of the tag): the kubelet finds a pod's image
      // by the name the pod gives, so the name is put back; no pull is needed for that.
      const tagged = ref.tag !== undefined && formatReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag });
      if (tagged && !image.tags.includes(tagged)) await driver.tag(digest, tagged);
      return present(location, image, { source: location.status?.source ?? "pulled" });
    }
    if (location.status?.phase === "Present") {
      location = await setStatus(location, { phase: "Evicted", reason: "ImageGarbageCollected", message: `${digest} is no longer in this node's ${driver.runtime}: pulling it again` });
    }

    const key = location.metadata!.uid!;
    let turn = turnFor(location, ref, digest);
    if (!turn.start) {
      const since = waitingSince.get(key) ?? Date.now();
      waitingSince.set(key, since);
      const left = since + options.waveTimeoutMs - Date.now();
      if (left > 0 || turn.reason === "WaitingForSource") {
        const phase = location.status?.phase === "Evicted" ? "Evicted" : "Pending";
        await setStatus(location, { phase, reason: turn.reason, message: turn.message });
        // Other nodes' location changes wake this one; the timer only bounds the wait.
        return { requeueAfter: Math.max(left, 1000) };
      }
      turn = { start: true, from: REGISTRY };
    }
    waitingSince.delete(key);

    const source = turn.peer ?? ref.registry;
    const release = await options.slots.acquire(source);
    const unlist = turn.peer ? options.mirrors?.use(turn.peer) : undefined;
    try {
      const pulling = await setStatus(location, { phase: "Pulling", pullingFrom: turn.from, reason: turn.peer ? "PullingFromPeer" : "PullingFromRegistry", message: `pulling ${digest} from ${source}` });
      try {
        const pulled = await driver.pull(`${ref.registry}/${ref.repository}@${digest}`);
        // Pulled by digest (the key), named by the location's tag too: pods name the image by its tag.
        if (ref.tag) await driver.tag(digest, location.spec.image);
        return await present(pulling, pulled, { source: "pulled", reason: "Pulled", message: `pulled from ${turn.peer ? `peer ${turn.peer}` : `registry ${ref.registry}`}` });
      } catch (error) {
        return await fail(pulling, error, "PullFailed");
      }
    } finally {
      unlist?.();
      release();
    }
  };

  return async (request) => {
    const location = locations.get(`${request.namespace}/${request.name}`) as unknown as ImageLocation | undefined;
    if (!location || location.spec.node !== identity.node || location.metadata?.deletionTimestamp) return;
    await ensureMetadata(location);
    if (!isWanted(location, options.wanted.cached())) return removeUnwanted(location);

    let ref: ImageReference;
    try {
      ref = parseReference(location.spec.image);
    } catch (error) {
      return fail(location, error, "InvalidReference");
    }
    let digest = location.spec.digest;
    if (!digest) {
      try {
        digest = isBuilt(location) ? (await driver.inspect(location.spec.image))?.digests[0] : (await resolveImage(options.registry, tagOrDefault(ref), hostPlatform())).digest;
      } catch (error) {
        return fail(location, error, "ResolveFailed");
      }
      if (!digest) return fail(location, new Error(`${location.spec.image} is not in this node's ${driver.runtime}`), "BuiltImageMissing");
      // The digest is the key from now on; the update wakes this location again.
      await client.patch(refOf(location as unknown as KubeObject), { spec: { digest } }, "merge");
      return;
    }
    return isBuilt(location) ? reconcileBuilt(location, digest) : reconcilePulled(location, ref, digest);
  };
}

/** The index value of a location: see BY_IMAGE. */
export const byImage = (obj: KubeObject): string[] => [imageKey(obj as unknown as ImageLocation)];
