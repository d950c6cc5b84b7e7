/**
 * The resourceVersions of the controller's own writes, until its cache has caught up with them. Acting on a
 * cached object older than our last write would act on a state we already left, e.g. send a delivery again
 * that we just recorded as Delivered. resourceVersions are etcd revisions, compared as integers. A deletion
 * is remembered by UID: the cached object is stale for as long as the cache still holds that object.
 */
export class WrittenVersions {
  private readonly versions = new Map<string, bigint>();
  private readonly deletions = new Map<string, string>();

  remember(key: string, resourceVersion: string): void {
    const version = parse(resourceVersion);
    if (version !== undefined) this.versions.set(key, version);
  }

  rememberDeletion(key: string, uid: string): void {
    this.versions.delete(key);
    this.deletions.set(key, uid);
  }

  /** True when the cached version is at least as new as our last write (and forgets that write then). */
  isSeen(key: string, cachedVersion: string, cachedUid?: string): boolean {
    const deleted = this.deletions.get(key);
    if (deleted !== undefined && deleted === cachedUid) return false;
    this.deletions.delete(key);
    const written = this.versions.get(key);
    const cached = parse(cachedVersion);
    if (written === undefined || cached === undefined || cached >= written) {
      this.versions.delete(key);
      return true;
    }
    return false;
  }

  /** True while a write of ours to `key` has not been seen in the cache (as far as a reconcile of it checked). */
  isPending(key: string): boolean {
    return this.versions.has(key) || this.deletions.has(key);
  }

  forget(key: string): void {
    this.versions.delete(key);
    this.deletions.delete(key);
  }
}

function parse(resourceVersion: string): bigint | undefined {
  return /^\d+$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
