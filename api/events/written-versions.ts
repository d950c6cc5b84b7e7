/**
 * The resourceVersions of the controller's own writes, until its cache has caught up with them. Acting on a
 * cached object older than our last write would act on a state we already left, e.g. send a delivery again
 * that we just recorded as Delivered. resourceVersions are etcd revisions, compared as integers.
 */
export class WrittenVersions {
  private readonly versions = new Map<string, bigint>();

  remember(key: string, resourceVersion: string): void {
    const version = parse(resourceVersion);
    if (version !== undefined) this.versions.set(key, version);
  }

  /** True when the cached version is at least as new as our last write (and forgets that write then). */
  isSeen(key: string, cachedVersion: string): boolean {
    const written = this.versions.get(key);
    const cached = parse(cachedVersion);
    if (written === undefined || cached === undefined || cached >= written) {
      this.versions.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.versions.delete(key);
  }
}

function parse(resourceVersion: string): bigint | undefined {
  return /^\d+$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
