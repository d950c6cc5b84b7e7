import { BlockList, isIP } from "node:net";

/**
 * Ranges a webhook must not reach unless configuration says so: an endpoint typed by a user would
 * otherwise let anyone who can create a subscriber probe the cluster network and the cloud metadata
 * service (169.254.169.254).
 */
const NON_PUBLIC_RANGES: readonly [cidr: string, what: string][] = [
  ["0.0.0.0/8", "this-network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared (carrier-grade NAT)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["fc00::/7", "private (unique local)"],
  ["fe80::/10", "link-local"],
  ["ff00::/8", "multicast"],
];

const nonPublic = NON_PUBLIC_RANGES.map(([cidr, what]) => ({ cidr, what, list: blockListOf([cidr]) }));

/** Decides which resolved addresses webhooks may connect to. */
export class AddressPolicy {
  private readonly allowed: BlockList;

  /** @param allow CIDRs to permit although non-public, e.g. "127.0.0.0/8" in tests or "10.1.0.0/16" for in-cluster receivers. */
  constructor(allow: readonly string[] = []) {
    this.allowed = blockListOf(allow);
  }

  /** Why `address` (an IP, not a name) is refused, or undefined when it may be used. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return `${address} is not an IP address`;
    const type = family === 4 ? "ipv4" : "ipv6";
    // IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are matched against the IPv4 ranges by BlockList.
    if (this.allowed.check(address, type)) return undefined;
    const range = nonPublic.find(({ list }) => list.check(address, type));
    return range && `${address} is in a ${range.what} range (${range.cidr}); allow it in the webhook address policy to use it`;
  }
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = "", prefix] = cidr.split("/");
    const family = isIP(network);
    if (family === 0) throw new Error(`"${cidr}" is not a CIDR range such as 10.0.0.0/8`);
    list.addSubnet(network, Number(prefix ?? (family === 4 ? 32 : 128)), family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}
