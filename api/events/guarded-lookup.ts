import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { AddressPolicy } from "./address-policy.js";

/** Resolves a host name to all its addresses; dns.lookup (the system resolver) unless a test injects one. */
export type Resolver = (hostname: string, family: number) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname, family) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, family }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** The error a connection fails with when every address of its host is refused by the policy. */
export class AddressRefusedError extends Error {
  readonly code = "ERR_ADDRESS_REFUSED";
  constructor(message: string) {
    super(message);
    this.name = "AddressRefusedError";
  }
}

/**
 * A `lookup` for http agents that checks the addresses a name resolves to at connect time, so a name that
 * points (or is re-pointed, DNS rebinding) at a private address is caught where it matters: on the
 * address actually dialled. Refused addresses are dropped; if none is left the connection fails.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, typeof options.family === "number" ? options.family : 0).then(
      (addresses) => {
        const usable = addresses.filter(({ address }) => policy.refusal(address) === undefined);
        if (usable.length === 0) {
          const reasons = addresses.map(({ address }) => policy.refusal(address)).join("; ");
          return callback(new AddressRefusedError(`${hostname} resolves only to refused addresses: ${reasons}`), "");
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}
