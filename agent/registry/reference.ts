import { InvalidReferenceError } from "./errors.js";

/** An image reference split into the parts the distribution protocol needs. */
export interface ImageReference {
  /** Registry host with optional port, e.g. "docker.io", "127.0.0.1:5000", "[::1]:5000". */
  readonly registry: string;
  /** Repository path inside the registry, e.g. "library/nginx", "orchest/orchest-api". */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const defaultRegistry = "docker.io";
export const defaultTag = "latest";

// The grammar of distribution's reference package, re-expressed here.
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostComponent = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const ipv6Host = /^\[[0-9a-fA-F:.]+\]$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const maxNameLength = 255;

/**
 * Parses a familiar or fully qualified reference as docker and containerd do: a first path component is a
 * registry only if it has a "." or ":" or is "localhost"; docker.io (or its legacy name index.docker.io) is
 * the default, and single-component repositories there live under "library/". No tag and no digest stays
 * that way here; `tagOrDefault` says what a pull would use.
 */
export function parseReference(text: string): ImageReference {
  const fail = (why: string): never => {
    throw new InvalidReferenceError(text, why);
  };
  if (text.length === 0) fail("it is empty");
  if (text !== text.trim()) fail("it has surrounding whitespace");

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) fail(`"${digest}" is not a digest (algorithm:hex)`);
    if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) fail("a sha256 digest has 64 lowercase hex characters");
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) fail(`"${tag}" is not a valid tag`);
  }

  if (rest.length === 0) fail("it has no repository name");
  const firstSlash = rest.indexOf("/");
  const first = firstSlash >= 0 ? rest.slice(0, firstSlash) : "";
  const hasRegistry = firstSlash >= 0 && (/[.:]/.test(first) || first === "localhost" || first.startsWith("["));
  let registry = hasRegistry ? first : defaultRegistry;
  let repository = hasRegistry ? rest.slice(firstSlash + 1) : rest;

  if (hasRegistry) checkRegistry(registry, fail);
  if (registry === "index.docker.io") registry = defaultRegistry;
  for (const component of repository.split("/")) {
    if (!pathComponent.test(component)) {
      fail(/[A-Z]/.test(component) ? "repository names must be lowercase" : `"${component}" is not a valid path component`);
    }
  }
  if (registry === defaultRegistry && !repository.includes("/")) repository = `library/${repository}`;
  if (`${registry}/${repository}`.length > maxNameLength) fail(`the name is longer than ${maxNameLength} characters`);

  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

function checkRegistry(registry: string, fail: (why: string) => never): void {
  const portMatch = /^(.*?)(?::(\d+))?$/.exec(registry)!;
  const [, host, port] = portMatch;
  if (!(hostComponent.test(host!) || ipv6Host.test(host!))) fail(`"${registry}" is not a valid registry host`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail(`port ${port} is out of range`);
}

/** The canonical string: registry/repository[:tag][@digest], as containerd names images. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** What the registry is asked for: the digest if pinned, else the tag, else "latest". */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? defaultTag;
}

/** The reference a pull resolves by name: a missing tag means "latest" unless a digest pins it. */
export function tagOrDefault(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: defaultTag } : ref;
}

/** docker.io is a name, not a host: its API lives at registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  return registry === defaultRegistry ? "registry-1.docker.io" : registry;
}
