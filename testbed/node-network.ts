// The private network of a test bed's real nodes: a bridge on the host, and per node a network namespace joined
// to it by a veth pair, like kind's node containers. Nothing routes off the machine: the slot's whole range is
// a blackhole route on the host, the nodes have no default route, and nothing masquerades.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./command.js";
import { cgroupBase, cleanupCgroups, cleanupContainerCgroups } from "./node-cgroups.js";
import { containerIdsIn } from "./real-node.js";

/** Where slot claims live: one file per slot, naming the process that owns it. */
const SLOTS_DIR = "/run/orchest-testbed";
/** Slots are /20s of 10.213.0.0/16: 16 test beds with real nodes can run side by side. */
const SLOTS = 16;
/** Per slot: node addresses in the first /24, node i's pods in the i-th, Services in the last. */
export const MAX_REAL_NODES = 14;

interface SlotClaim {
  readonly pid: number;
  /** The owner's start time (/proc/PID/stat field 22): a PID reused by another process is not the owner. */
  readonly started: string;
  readonly dir: string;
  /** The slot's cgroup subtree (see node-cgroups.ts). */
  readonly cgroup: string;
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(claim: SlotClaim): boolean {
  return processStart(claim.pid) === claim.started;
}

/**
 * Names of a slot's host-side objects. The prefixes let a later run find the leftovers of a killed one; the owner's
 * PID in namespace and cgroup names keeps two runs that used the same slot apart (interface names are too short).
 */
export function slotNames(slot: number, owner = process.pid) {
  return {
    bridge: `otb${slot}`,
    hostVeth: (index: number) => `otb${slot}v${index}`,
    netns: (index: number) => `orchest-testbed-${slot}-${owner}-n${index}`,
    netnsPrefix: `orchest-testbed-${slot}-`,
    cgroup: `orchest-testbed-${slot}-${owner}`,
  };
}

export interface NodeAddress {
  readonly index: number;
  /** The node's InternalIP: its veth inside the namespace. */
  readonly ip: string;
  /** The node's pod range (host-local IPAM in its CNI config). */
  readonly podCidr: string;
  /** The network namespace, for `nsenter --net=`. */
  readonly netnsPath: string;
}

/** One slot's network. Created with `NodeNetwork.create`, removed with `remove()` (or by the next run if killed). */
export class NodeNetwork {
  private readonly nodes = new Map<number, NodeAddress>();

  private constructor(
    readonly slot: number,
    /** Every process of this slot's nodes runs at or below this cgroup. */
    readonly cgroup: string,
  ) {}

  /** 10.213.(16·slot).0/20: every address of this test bed's nodes, pods and Services. */
  get range(): string {
    return `10.213.${16 * this.slot}.0/20`;
  }

  /** The host's address on the bridge: the apiserver and the registry listen here for the nodes. */
  get hostIp(): string {
    return `10.213.${16 * this.slot}.1`;
  }

  get serviceCidr(): string {
    return `10.213.${16 * this.slot + 15}.0/24`;
  }

  /** The `kubernetes` Service's ClusterIP: the first address of the Service range. */
  get kubernetesServiceIp(): string {
    return `10.213.${16 * this.slot + 15}.1`;
  }

  get names() {
    return slotNames(this.slot);
  }

  /** Cleans up after every run that was killed, then claims a free slot and creates its bridge. */
  static async create(dir: string): Promise<NodeNetwork> {
    mkdirSync(SLOTS_DIR, { recursive: true });
    for (let slot = 0; slot < SLOTS; slot++) await releaseIfStale(slot);
    for (let slot = 0; slot < SLOTS; slot++) {
      const cgroup = cgroupBase(slotNames(slot).cgroup);
      if (!claimSlot(slot, dir, cgroup)) continue;
      const network = new NodeNetwork(slot, cgroup);
      try {
        await network.createBridge();
      } catch (error) {
        await network.remove();
        throw error;
      }
      return network;
    }
    throw new Error(`all ${SLOTS} test-bed network slots are in use (${SLOTS_DIR}). Fix: stop other test beds with real nodes.`);
  }

  private async createBridge(): Promise<void> {
    const { bridge } = this.names;
    await run("ip", ["link", "add", bridge, "type", "bridge"]);
    await run("ip", ["addr", "add", `${this.hostIp}/24`, "dev", bridge]);
    await run("ip", ["link", "set", bridge, "up"]);
    await run("ip", ["route", "add", "blackhole", this.range]);
  }

  /** Creates node `index`'s namespace, veth and routes (to and from the other nodes' pods). */
  async addNode(index: number): Promise<NodeAddress> {
    if (index < 1 || index > MAX_REAL_NODES) throw new Error(`real node index ${index} is out of 1..${MAX_REAL_NODES}`);
    const names = this.names;
    const node: NodeAddress = {
      index,
      ip: `10.213.${16 * this.slot}.${10 + index}`,
      podCidr: `10.213.${16 * this.slot + index}.0/24`,
      netnsPath: `/run/netns/${names.netns(index)}`,
    };
    const inNode = (...args: string[]) => run("nsenter", [`--net=${node.netnsPath}`, "--", ...args]);
    await run("ip", ["netns", "add", names.netns(index)]);
    await run("ip", ["link", "add", names.hostVeth(index), "type", "veth", "peer", "name", "eth0", "netns", names.netns(index)]);
    await run("ip", ["link", "set", names.hostVeth(index), "master", names.bridge, "up"]);
    await inNode("ip", "addr", "add", `${node.ip}/24`, "dev", "eth0");
    await inNode("ip", "link", "set", "eth0", "up");
    await inNode("ip", "link", "set", "lo", "up");
    // The node forwards between its pods and eth0; bridged pod traffic passes iptables, so Services work between pods of one node.
    await inNode("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables");
    // The node's own processes (containerd, dockerd, kubelet) reach Services: a route to pick before kube-proxy's
    // OUTPUT rules turn a ClusterIP into a pod's address (pods' packets are translated before routing).
    await inNode("ip", "route", "add", this.serviceCidr, "dev", "eth0");
    await run("ip", ["route", "add", node.podCidr, "via", node.ip, "dev", names.bridge]);
    for (const other of this.nodes.values()) {
      await inNode("ip", "route", "add", other.podCidr, "via", other.ip);
      await run("nsenter", [`--net=${other.netnsPath}`, "--", "ip", "route", "add", node.podCidr, "via", node.ip]);
    }
    this.nodes.set(index, node);
    return node;
  }

  /** Removes the namespaces, veths, bridge and route of this slot, and gives the slot back. */
  async remove(): Promise<void> {
    await cleanupSlot(this.slot, this.cgroup);
    rmSync(join(SLOTS_DIR, `slot-${this.slot}.json`), { force: true });
  }
}

/** Cleans up a slot whose owner is gone (killed, crashed) and frees it. Only one of several runs gets to. */
async function releaseIfStale(slot: number): Promise<void> {
  const file = join(SLOTS_DIR, `slot-${slot}.json`);
  if (!existsSync(file)) return;
  let claim: SlotClaim | undefined;
  try {
    claim = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // A claim cut short by a crash: its writer is gone.
  }
  if (claim && alive(claim)) return;
  const stale = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, stale);
  } catch {
    return;
  }
  if (claim) await cleanupSlot(slot, claim.cgroup);
  // Its containerd nodes' containers, found by the ids in their containerd roots before the folder goes.
  if (claim?.dir) await cleanupContainerCgroups(containerIdsIn(claim.dir));
  if (claim?.dir) rmSync(claim.dir, { recursive: true, force: true });
  rmSync(stale, { force: true });
}

/** Claims a free slot: the claim appears whole or not at all (a hard link of a complete file), never half written. */
function claimSlot(slot: number, dir: string, cgroup: string): boolean {
  const claim: SlotClaim = { pid: process.pid, started: processStart(process.pid)!, dir, cgroup };
  const draft = join(SLOTS_DIR, `.claim-${slot}-${process.pid}`);
  writeFileSync(draft, JSON.stringify(claim));
  try {
    linkSync(draft, join(SLOTS_DIR, `slot-${slot}.json`));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Removes whatever a slot's test bed left behind, in an order that always works: processes first (by cgroup,
 * which also finds containerd shims and docker's containers that outlived their daemons; a containerd node's
 * containers are its own stop's, or releaseIfStale's), then the namespaces (their veths
 * go with them), the bridge (its routes go with it), the blackhole route, and the cgroups.
 */
export async function cleanupSlot(slot: number, cgroup: string): Promise<void> {
  const names = slotNames(slot);
  await cleanupCgroups(cgroup);
  const namespaces = (await run("ip", ["netns", "list"])).split("\n").map((line) => line.split(" ")[0]!).filter((name) => name.startsWith(names.netnsPrefix));
  for (const name of namespaces) await run("ip", ["netns", "delete", name]).catch(() => undefined);
  const links = (await run("ip", ["-o", "link", "show"])).split("\n").map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1]).filter((name): name is string => !!name);
  for (const link of links.filter((name) => name === names.bridge || name.startsWith(`${names.bridge}v`))) await run("ip", ["link", "delete", link]).catch(() => undefined);
  await run("ip", ["route", "del", "blackhole", `10.213.${16 * slot}.0/20`]).catch(() => undefined);
}
