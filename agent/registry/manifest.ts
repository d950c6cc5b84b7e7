import { PlatformMismatchError } from "./errors.js";
import { isIndex, isManifest } from "./media-types.js";

/** An OCI content descriptor: what a manifest says about each blob or child manifest it references. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A parsed manifest, reduced to what distribution needs: its kind and what it references. */
export type ParsedManifest =
  | { readonly kind: "index"; readonly mediaType: string; readonly manifests: readonly Descriptor[] }
  | { readonly kind: "image"; readonly mediaType: string; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/** Parses manifest bytes; the media type comes from the document, else from the transport (Content-Type, descriptor). */
export function parseManifest(bytes: Uint8Array, transportMediaType?: string): ParsedManifest {
  let doc: { mediaType?: string; schemaVersion?: number; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw new Error(`manifest is not JSON: ${(error as Error).message}`);
  }
  const mediaType = doc.mediaType ?? transportMediaType ?? (doc.manifests ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json");
  if (!isManifest(mediaType)) throw new Error(`unsupported manifest media type ${mediaType} (schema ${doc.schemaVersion ?? "?"})`);
  if (isIndex(mediaType)) return { kind: "index", mediaType, manifests: doc.manifests ?? [] };
  if (!doc.config) throw new Error("image manifest has no config descriptor");
  return { kind: "image", mediaType, config: doc.config, layers: doc.layers ?? [] };
}

/** The platform this process runs on, in OCI terms. */
export function hostPlatform(): Platform {
  const architecture = ({ x64: "amd64", ia32: "386", ppc64: "ppc64le" } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: process.platform, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

function matches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  // arm64 images usually omit the implied "v8"; only differing explicit variants mismatch.
  return !candidate.variant || !wanted.variant || candidate.variant === wanted.variant;
}

/** The child manifest of an index for `wanted`, or a PlatformMismatchError listing what the index offers. */
export function selectPlatform(reference: string, index: readonly Descriptor[], wanted: Platform): Descriptor {
  const found = index.find((d) => d.platform && matches(d.platform, wanted));
  if (found) return found;
  const offered = index.flatMap((d) => (d.platform && d.platform.architecture !== "unknown" ? [formatPlatform(d.platform)] : []));
  throw new PlatformMismatchError(reference, formatPlatform(wanted), offered);
}

/** Checks a single-platform image's config against `wanted` (configs carry os and architecture). */
export function checkConfigPlatform(reference: string, config: Uint8Array, wanted: Platform): void {
  const { os, architecture, variant } = JSON.parse(Buffer.from(config).toString("utf8")) as Partial<Platform>;
  if (os && architecture && !matches({ os, architecture, variant }, wanted)) {
    throw new PlatformMismatchError(reference, formatPlatform(wanted), [formatPlatform({ os, architecture, variant })]);
  }
}
