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
  ["64:ff9b:1::/48", "NAT64 local-use"],
  ["fc00::/7", "private (unique local)"],
  ["fe80::/10", "link-local"],
  ["ff00::/8", "multicast"],
];

const nonPublic = NON_PUBLIC_RANGES.map(([cidr, what]) => ({ cidr, what, list: blockListOf([cidr]) }));

/**
 * IPv6 forms that carry an IPv4 address in their last 32 bits and reach it: NAT64 (a DNS64 resolver hands out
 * 64:ff9b::10.0.0.1 for a name whose A record is private), IPv4-mapped and IPv4-compatible.
 */
const EMBEDDING: readonly [prefix: string, form: string][] = [
  ["64:ff9b::", "NAT64 (64:ff9b::/96)"],
  ["::ffff:0:0", "IPv4-mapped (::ffff:0:0/96)"],
  ["::", "IPv4-compatible (::/96)"],
];

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
    if (this.allowed.check(address, type)) return undefined;
    const range = nonPublic.find(({ list }) => list.check(address, type));
    if (range) return `${address} is in a ${range.what} range (${range.cidr}); allow it in the webhook address policy to use it`;
    const embedded = family === 6 ? embeddedIPv4(address) : undefined;
    if (!embedded || this.allowed.check(embedded.ipv4, "ipv4")) return undefined;
    const inner = nonPublic.find(({ list }) => list.check(embedded.ipv4, "ipv4"));
    return inner && `${address} (${embedded.ipv4} in its ${embedded.form} form) is in a ${inner.what} range (${inner.cidr}); allow it in the webhook address policy to use it`;
  }
}

function embeddedIPv4(address: string): { ipv4: string; form: string } | undefined {
  const bytes = ipv6Bytes(address);
  for (const [prefix, form] of EMBEDDING) {
    const head = ipv6Bytes(prefix);
    if (head.subarray(0, 12).equals(bytes.subarray(0, 12))) return { ipv4: [...bytes.subarray(12)].join("."), form };
  }
  return undefined;
}

/** The 16 bytes of a valid IPv6 address (isIP said 6), in any notation: "::" and a dotted IPv4 tail included. */
function ipv6Bytes(address: string): Buffer {
  const zone = address.indexOf("%");
  let text = zone < 0 ? address : address.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number);
    text = `${text.slice(0, dotted.index)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [left = "", right] = text.split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const head = groups(left);
  const tail = right === undefined ? [] : groups(right);
  const all = [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
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
