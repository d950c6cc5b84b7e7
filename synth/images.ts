/**
 * Image rules of the platform (ARCHITECTURE.md, "Components that synth() deploys"):
 *
 * - The image of a component is the `image` of its spec template if that image
 *   is custom; otherwise `<spec.orchest.registry or docker.io>/orchest/<component>:<spec.orchest.version>`.
 * - An image is custom when its registry differs from `spec.orchest.registry`
 *   (docker.io when unset), or its repository is not `orchest/<component>`, or
 *   its tag is not CalVer (`vYYYY.MM.N`).
 * - Custom images are never rewritten, by defaulting or by update; non-custom
 *   images follow `spec.orchest.version`.
 *
 * Pure functions, no Kubernetes objects.
 */

/** Registry used when `spec.orchest.registry` is unset. */
export const DEFAULT_REGISTRY = "docker.io";

/** Repository namespace of Orchest's images. */
export const ORCHEST_REPOSITORY_PREFIX = "orchest";

const CALVER = /^v[0-9]{4}\.(0[1-9]|1[0-2])\.[0-9]+$/;

/** Whether a tag (or version) is CalVer `vYYYY.MM.N`. */
export function isCalVer(tag: string | undefined): boolean {
  return tag !== undefined && CALVER.test(tag);
}

/** An image reference split into its parts. */
export interface ImageReference {
  /** Registry host[:port], normalized (`index.docker.io` and `registry-1.docker.io` become `docker.io`). */
  readonly registry: string;
  /** Repository path without registry, e.g. `orchest/orchest-api` or `library/postgres`. */
  readonly repository: string;
  /** Tag, if any. */
  readonly tag?: string;
  /** Digest (`sha256:...`), if any. */
  readonly digest?: string;
}

/** Normalizes the docker.io aliases; other registries are compared as written, case-insensitively. */
export function normalizeRegistry(registry: string): string {
  const r = registry.toLowerCase();
  if (r === "index.docker.io" || r === "registry-1.docker.io" || r === "registry.hub.docker.com") return DEFAULT_REGISTRY;
  return r;
}

/**
 * Parses an image reference the way container runtimes do: the first path
 * component is a registry when it contains a `.` or a `:`, or is `localhost`;
 * otherwise the registry is docker.io, and single-component names get the
 * `library/` prefix.
 */
export function parseImage(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  let registry = DEFAULT_REGISTRY;
  const firstSlash = rest.indexOf("/");
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  registry = normalizeRegistry(registry);
  const repository = registry === DEFAULT_REGISTRY && !rest.includes("/") ? `library/${rest}` : rest;
  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** The image a non-custom component runs: `<registry>/orchest/<component>:<version>`. */
export function defaultImage(component: string, version: string, registry?: string): string {
  return `${registry && registry !== "" ? registry : DEFAULT_REGISTRY}/${ORCHEST_REPOSITORY_PREFIX}/${component}:${version}`;
}

/**
 * Whether `image` is custom for `component` given the cluster's registry
 * (`spec.orchest.registry`, docker.io when unset).
 */
export function isCustomImage(image: string, component: string, registry?: string): boolean {
  const ref = parseImage(image);
  const clusterRegistry = normalizeRegistry(registry && registry !== "" ? registry : DEFAULT_REGISTRY);
  if (ref.registry !== clusterRegistry) return true;
  if (ref.repository !== `${ORCHEST_REPOSITORY_PREFIX}/${component}`) return true;
  if (!isCalVer(ref.tag)) return true;
  return false;
}

/** Inputs of `resolveImage`. */
export interface ResolveImageInput {
  /** Component name, e.g. `orchest-api`. */
  readonly component: string;
  /** `image` of the component's spec template, if any. */
  readonly templateImage?: string;
  /** `spec.orchest.version` (or the default version when unset). */
  readonly version: string;
  /** `spec.orchest.registry`, if set. */
  readonly registry?: string;
}

/** The image a component runs, by the rules above. */
export function resolveImage(input: ResolveImageInput): string {
  const { component, templateImage, version, registry } = input;
  if (templateImage !== undefined && templateImage !== "" && isCustomImage(templateImage, component, registry)) {
    return templateImage;
  }
  return defaultImage(component, version, registry);
}
