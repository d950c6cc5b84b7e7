import type { KubeClient } from "../client/client.js";
import { refKey, type KubeObject, type ObjectRef } from "../client/object.js";
import type { LiveReader } from "./live.js";

/**
 * Live state that includes our own latest writes. A cache lags the writes it did not see yet: each write's
 * result is kept with the resourceVersion it replaced, and while the cache still shows that version the
 * write is newer, so a reconcile right after a write diffs against the write.
 * A create replaced nothing, so a cache without the object cannot tell "not seen yet" from "deleted by
 * someone since": the server is asked, once per read, until the cache has caught up.
 */
export class ReadYourWrites implements LiveReader {
  private readonly written = new Map<string, { replaced: string | undefined; obj: KubeObject }>();

  constructor(
    private readonly cache: LiveReader,
    private readonly client: KubeClient,
  ) {}

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const key = refKey(ref);
    const cached = await this.cache.get(ref);
    const write = this.written.get(key);
    if (!write) return cached;
    if (cached === undefined && write.replaced === undefined) {
      const fresh = await this.client.get(ref);
      if (!fresh) this.written.delete(key);
      return fresh;
    }
    if (cached?.metadata.resourceVersion === write.replaced) return write.obj;
    this.written.delete(key);
    return cached;
  }

  /** Records the answer of a write; `replaced` is the resourceVersion it changed (undefined for a create). */
  remember(ref: ObjectRef, replaced: string | undefined, obj: KubeObject): void {
    this.written.set(refKey(ref), { replaced, obj });
  }

  forget(ref: ObjectRef): void {
    this.written.delete(refKey(ref));
  }
}
