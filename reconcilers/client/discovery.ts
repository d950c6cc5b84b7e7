import type { GroupVersionKind } from "./object.js";
import { groupOf } from "./object.js";
import type { Transport } from "./transport.js";

export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/**
 * Maps a kind to its REST resource by asking the server's discovery, one request per group-version, cached.
 * A miss re-reads the group-version once, so a CRD installed after start is found.
 */
export class ResourceMapper {
  private readonly byGroupVersion = new Map<string, Promise<ApiResourceList | undefined>>();

  constructor(private readonly transport: Transport) {}

  async resourceFor(gvk: GroupVersionKind): Promise<ApiResource> {
    const found = await this.lookup(gvk);
    if (found) return found;
    this.byGroupVersion.delete(gvk.apiVersion);
    const retried = await this.lookup(gvk);
    if (!retried) throw new Error(`the server has no resource for kind ${gvk.kind} in ${gvk.apiVersion}`);
    return retried;
  }

  private async lookup(gvk: GroupVersionKind): Promise<ApiResource | undefined> {
    let list = this.byGroupVersion.get(gvk.apiVersion);
    if (!list) {
      const path = gvk.apiVersion.includes("/") ? `/apis/${gvk.apiVersion}` : `/api/${gvk.apiVersion}`;
      list = this.transport.request<ApiResourceList>("GET", path).catch(() => undefined);
      this.byGroupVersion.set(gvk.apiVersion, list);
    }
    const resource = (await list)?.resources.find((r) => r.kind === gvk.kind && !r.name.includes("/"));
    if (!resource) return undefined;
    const group = groupOf(gvk.apiVersion);
    const version = gvk.apiVersion.slice(group ? group.length + 1 : 0);
    return { group, version, kind: gvk.kind, plural: resource.name, namespaced: resource.namespaced };
  }
}

/** The REST path of a resource's collection, or of one object when a name is given. */
export function resourcePath(
  resource: ApiResource,
  where: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const scope = resource.namespaced && where.namespace ? `/namespaces/${encodeURIComponent(where.namespace)}` : "";
  const name = where.name ? `/${encodeURIComponent(where.name)}` : "";
  const sub = where.name && where.subresource ? `/${where.subresource}` : "";
  return `${root}${scope}/${resource.plural}${name}${sub}`;
}
