/**
 * Image rules of the platform, as Orchest's controller has them (orchestcluster/cluster_utils.go and
 * cluster_controller.go, PR #1205):
 *
 * - orchest-api, orchest-webserver, celery-worker, auth-server: the `image` of the component's template if
 *   that image is custom, else `[<spec.orchest.registry>/]orchest/<component>:<spec.orchest.version>`.
 * - An image is custom when its registry differs from `spec.orchest.registry` (compared as written: an image
 *   without a registry has the empty registry, which is also the default of `spec.orchest.registry`), or its
 *   repository is not `orchest/<component>`, or its tag is not CalVer. An image with a digest is custom
 *   (its "tag" holds the digest), so it is kept as written, digest included.
 * - Custom images are never rewritten, by defaulting or by update; non-custom images follow the version.
 * - orchest-database and rabbitmq-server: the template's image, else `postgres:13.1` and `rabbitmq:3`;
 *   never subject to the CalVer rule.
 * - node-agent and buildkit-daemon: always the operator's own images, whatever the template says.
 *
 * Pure functions, no Kubernetes objects.
 */

/** Images of orchest-database and rabbitmq-server when the CR sets none (Orchest's NewDefaultControllerConfig). */
export const DEFAULT_POSTGRES_IMAGE = "postgres:13.1";
export const DEFAULT_RABBITMQ_IMAGE = "rabbitmq:3";

// Orchest's isCalverVersion: the month is any two digits.
const CALVER = /^v\d{4}\.\d{2}\.\d+$/;

/** Whether a tag (or version) is CalVer `vYYYY.MM.N`, as Orchest's controller checks it. */
export function isCalVer(tag: string | undefined): boolean {
  return tag !== undefined && CALVER.test(tag);
}

/** An image reference split the way Orchest's controller splits it (parseImageName). */
export interface ImageParts {
  /** Registry host[:port]; empty when the image names none. `index.docker.io` reads as `docker.io`. */
  readonly domain: string;
  /** Everything between the registry and the last `:` of the rest, e.g. `orchest/orchest-api`. */
  readonly name: string;
  /** After that `:`; `latest` when there is none. For `repo@sha256:…` the name ends in `@sha256`. */
  readonly tag: string;
}

/**
 * Splits an image like distribution's splitDockerDomain and Orchest's parseImageName: the first path
 * component is the registry when it contains a `.` or a `:` or is `localhost`; the tag is what follows
 * the first `:` of the remainder.
 */
export function splitImage(image: string): ImageParts {
  const slash = image.indexOf("/");
  let domain = "";
  let rest = image;
  if (slash >= 0) {
    const first = image.slice(0, slash);
    if (/[.:]/.test(first) || first === "localhost") {
      domain = first === "index.docker.io" ? "docker.io" : first;
      rest = image.slice(slash + 1);
    }
  }
  const colon = rest.indexOf(":");
  return colon < 0 ? { domain, name: rest, tag: "latest" } : { domain, name: rest.slice(0, colon), tag: rest.slice(colon + 1) };
}

/** Orchest's image of a component: `[<registry>/]orchest/<component>:<version>` (GetFullImageName). */
export function orchestImage(component: string, version: string, registry = ""): string {
  const tag = version === "" ? "latest" : version;
  return registry === "" ? `orchest/${component}:${tag}` : `${registry}/orchest/${component}:${tag}`;
}

/** Whether `image` is custom for `component` given `spec.orchest.registry` (empty when unset). */
export function isCustomImage(image: string, component: string, registry = ""): boolean {
  const { domain, name, tag } = splitImage(image);
  return domain !== registry || name !== `orchest/${component}` || !isCalVer(tag);
}

/** Inputs of `resolveImage`. */
export interface ResolveImageInput {
  /** Component name, e.g. `orchest-api`. */
  readonly component: string;
  /** `image` of the component's spec template, if any. */
  readonly templateImage?: string;
  /** `spec.orchest.version` (or the default version when unset). */
  readonly version: string;
  /** `spec.orchest.registry`. @default "" (Orchest's default: images without a registry) */
  readonly registry?: string;
}

/** The image of an Orchest-built component (api, webserver, celery-worker, auth-server), by the rules above. */
export function resolveImage(input: ResolveImageInput): string {
  const { component, templateImage, version, registry = "" } = input;
  if (templateImage !== undefined && templateImage !== "" && isCustomImage(templateImage, component, registry)) return templateImage;
  return orchestImage(component, version, registry);
}
