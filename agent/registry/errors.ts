/**
 * Failures of image distribution that an ImageLocation reports as `status.reason` + `status.message`:
 * each error names what failed in words an operator can act on, and carries a stable machine reason.
 */
export abstract class ImageDistributionError extends Error {
  abstract readonly reason: "InvalidReference" | "RegistryRefused" | "PlatformMismatch" | "DigestMismatch" | "RegistryUnreachable";
}

/** An image reference that does not parse: retrying cannot help. */
export class InvalidReferenceError extends ImageDistributionError {
  readonly reason = "InvalidReference";
  constructor(readonly reference: string, why: string) {
    super(`image reference ${JSON.stringify(reference)} does not parse: ${why}`);
  }
}

/** The registry answered, with a status other than the one the protocol step expects. */
export class RegistryRefusedError extends ImageDistributionError {
  readonly reason = "RegistryRefused";
  constructor(
    readonly operation: string,
    readonly url: string,
    readonly status: number,
    /** The OCI error codes of the body (e.g. MANIFEST_UNKNOWN, DENIED), when the registry sent any. */
    readonly codes: readonly string[],
    detail: string,
  ) {
    super(`registry refused to ${operation} (${url}): HTTP ${status}${codes.length ? ` ${codes.join(", ")}` : ""}${detail ? `: ${detail}` : ""}`);
  }
}

/** The registry could not be reached at all (connection refused, DNS, TLS, timeout). */
export class RegistryUnreachableError extends ImageDistributionError {
  readonly reason = "RegistryUnreachable";
  constructor(readonly url: string, cause: Error) {
    super(`registry unreachable at ${url}: ${cause.message}`, { cause });
  }
}

/** The image exists, but not for the platform this node runs. */
export class PlatformMismatchError extends ImageDistributionError {
  readonly reason = "PlatformMismatch";
  constructor(readonly reference: string, readonly wanted: string, readonly available: readonly string[]) {
    super(`manifest of ${reference} is for another platform: this node needs ${wanted}, the image has ${available.length ? available.join(", ") : "no platform"}`);
  }
}

/** Bytes whose hash is not the digest they were asked for or announced as. */
export class DigestMismatchError extends ImageDistributionError {
  readonly reason = "DigestMismatch";
  constructor(readonly what: string, readonly expected: string, readonly actual: string) {
    super(`${what}: expected digest ${expected}, got ${actual}`);
  }
}
