import type { KubeClient, OwnerReference } from "../reconcilers/index.js";

/**
 * Who this agent is, as its ImageLocations say: the node (their owner, so that the garbage collector deletes
 * them with the Node) and the address where it serves peers.
 */
export class NodeIdentity {
  private owner: OwnerReference | undefined;

  constructor(private readonly client: KubeClient, readonly node: string, readonly peerAddress: string | undefined) {}

  /** A non-controller owner reference to the Node; undefined while the Node cannot be read. */
  async ownerReference(): Promise<OwnerReference | undefined> {
    if (this.owner) return this.owner;
    const node = await this.client.get({ apiVersion: "v1", kind: "Node", name: this.node });
    if (!node?.metadata.uid) return undefined;
    this.owner = { apiVersion: "v1", kind: "Node", name: this.node, uid: node.metadata.uid };
    return this.owner;
  }
}
