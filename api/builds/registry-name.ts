/**
 * A build's image under the in-cluster registry's name: `spec.image` with its registry (if it names one)
 * replaced, e.g. `orchest-env-proj-env:3` → `10.96.0.10/orchest-env-proj-env:3`. The builder tags the image so,
 * the node-agent pushes it there, other nodes pull it from there, and pods name it so everywhere; a bare name
 * never resolves to Docker Hub. Without a registry (a test without one) the image stays as written.
 */
export function inRegistry(image: string, registryHost: string | undefined): string {
  if (!registryHost) return image;
  return `${registryHost}/${pathOf(image) ?? image}`;
}

/**
 * A step's image: one that names no registry (`orchest-env-proj-env:3`, as an ImageBuild's spec.image) is an
 * environment's, in the in-cluster registry where its build put it; one that names a registry stays as written.
 */
export function stepImage(image: string, registryHost: string | undefined): string {
  return registryHost && pathOf(image) === undefined ? `${registryHost}/${image}` : image;
}

/** The repository path of a reference that names a registry; undefined when it names none. */
function pathOf(image: string): string | undefined {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  // As distribution splits a reference: the first component is a registry when it has a "." or ":" or is localhost.
  return slash >= 0 && (/[.:]/.test(first) || first === "localhost") ? image.slice(slash + 1) : undefined;
}
