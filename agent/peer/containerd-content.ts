import { type ContainerdStore } from "../runtime/containerd-store.js";
import { type PeerContent } from "./blob-server.js";

/** A node's containerd content store as what its peer server serves. */
export function containerdPeerContent(store: ContainerdStore): PeerContent {
  return {
    size: (digest) => store.size(digest),
    read: (digest) => store.read(digest),
    resolve: async (name) => (await store.get(name))?.target.digest,
  };
}
