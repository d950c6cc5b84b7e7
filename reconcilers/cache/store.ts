import { objectKey, type KubeObject } from "../client/object.js";

/** Computes the index values of an object (e.g. its owners' UIDs, one of its labels). */
export type IndexFunc = (obj: KubeObject) => string[];

/**
 * The objects of one informer, keyed by UID so that a delete and a recreate under the same name are two
 * objects, not one update. A second map finds the current UID of a namespace/name key.
 */
export class Store {
  private readonly byUid = new Map<string, KubeObject>();
  private readonly uidByKey = new Map<string, string>();
  private readonly indexers = new Map<string, IndexFunc>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  get size(): number {
    return this.byUid.size;
  }

  get(key: string): KubeObject | undefined {
    const uid = this.uidByKey.get(key);
    return uid === undefined ? undefined : this.byUid.get(uid);
  }

  getByUid(uid: string): KubeObject | undefined {
    return this.byUid.get(uid);
  }

  list(): KubeObject[] {
    return [...this.byUid.values()];
  }

  uids(): IterableIterator<string> {
    return this.byUid.keys();
  }

  /** Objects whose index `name` yields `value`. */
  byIndex(name: string, value: string): KubeObject[] {
    if (!this.indexers.has(name)) throw new Error(`no indexer named ${name}`);
    const uids = this.indices.get(name)?.get(value);
    return uids ? [...uids].map((uid) => this.byUid.get(uid)!) : [];
  }

  addIndexer(name: string, fn: IndexFunc): void {
    if (this.indexers.has(name)) throw new Error(`indexer ${name} already exists`);
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const obj of this.byUid.values()) this.index(name, fn, obj);
  }

  /** Stores obj, replacing the object of the same UID; returns the replaced one. */
  upsert(obj: KubeObject): KubeObject | undefined {
    const uid = obj.metadata.uid!;
    const old = this.byUid.get(uid);
    if (old) this.unindex(old);
    this.byUid.set(uid, obj);
    this.uidByKey.set(objectKey(obj), uid);
    for (const [name, fn] of this.indexers) this.index(name, fn, obj);
    return old;
  }

  remove(uid: string): KubeObject | undefined {
    const old = this.byUid.get(uid);
    if (!old) return undefined;
    this.unindex(old);
    this.byUid.delete(uid);
    const key = objectKey(old);
    if (this.uidByKey.get(key) === uid) this.uidByKey.delete(key);
    return old;
  }

  private index(name: string, fn: IndexFunc, obj: KubeObject): void {
    const index = this.indices.get(name)!;
    for (const value of fn(obj)) {
      let uids = index.get(value);
      if (!uids) index.set(value, (uids = new Set()));
      uids.add(obj.metadata.uid!);
    }
  }

  private unindex(obj: KubeObject): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) {
        const uids = index.get(value);
        uids?.delete(obj.metadata.uid!);
        if (uids?.size === 0) index.delete(value);
      }
    }
  }
}

/** Index of objects by the UIDs of their owners: finds an owner's children without a list. */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);

/** Index of objects by the value of one label. */
export function byLabel(label: string): IndexFunc {
  return (obj) => {
    const value = obj.metadata.labels?.[label];
    return value === undefined ? [] : [value];
  };
}
