/**
 * A build's image under the in-cluster registry's name: `spec.image` with its registry (if it names one)
 * replaced, e.g. `orchest-env-proj-env:3` → `10.96.0.10/orchest-env-proj-env:3`. The builder tags the image so,
 * the node-agent pushes it there, other nodes pull it from there, and pods name it so everywhere; a bare name
 * never resolves to Docker Hub. Without a registry (a test without one) the image stays as written.
 */
export function inRegistry(image: string, registryHost: string | undefined): string {
  if (!registryHost) return image;
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  // As distribution splits a reference: the first component is a registry when it has a "." or ":" or is localhost.
  const path = slash >= 0 && (/[.:]/.test(first) || first === "localhost") ? image.slice(slash + 1) : image;
  return `${registryHost}/${path}`;
}
