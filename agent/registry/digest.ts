import { createHash, type Hash } from "node:crypto";
import { DigestMismatchError } from "./errors.js";

const supported = new Set(["sha256", "sha512"]);

function hasherFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(":"));
  if (!supported.has(algorithm)) throw new Error(`digest ${digest}: algorithm ${algorithm || "(none)"} is not supported (sha256, sha512)`);
  return createHash(algorithm);
}

/** The OCI digest of some bytes with the given algorithm (sha256 unless told otherwise). */
export function digestOf(bytes: Uint8Array, like = "sha256:"): string {
  const algorithm = like.slice(0, like.indexOf(":"));
  return `${algorithm}:${hasherFor(like).update(bytes).digest("hex")}`;
}

/** Throws unless `bytes` hash to `expected`: content addressing is the only integrity check we rely on. */
export function verifyDigest(what: string, bytes: Uint8Array, expected: string): void {
  const actual = digestOf(bytes, expected);
  if (actual !== expected) throw new DigestMismatchError(what, expected, actual);
}

/** Passes chunks through and, at the end, throws unless they hash to `expected` and add up to `size` (when known). */
export async function* verifying(what: string, chunks: AsyncIterable<Uint8Array>, expected: string, size?: number): AsyncGenerator<Buffer> {
  const hash = hasherFor(expected);
  let length = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    length += chunk.length;
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  const actual = `${expected.slice(0, expected.indexOf(":"))}:${hash.digest("hex")}`;
  if (actual !== expected) throw new DigestMismatchError(what, expected, actual);
  if (size !== undefined && length !== size) throw new DigestMismatchError(`${what} (size ${length}, expected ${size})`, expected, actual);
}
