/**
 * Turns rendered manifests into Helm templates: values of the manifests are
 * swapped for marker tokens, the YAML is rendered, then each token becomes a
 * Helm expression. Markers keep the templates generated from the construct
 * (one source) instead of written a second time by hand.
 */

/** A value the chart takes from values.yaml. */
export interface HelmMarker {
  /** Unique text placed in the manifests where the value goes. */
  readonly token: string;
  /** A Helm expression for a scalar, or the values path of a map rendered with toYaml (block). */
  readonly expression: string;
  /** True for maps and lists: `key: {{- toYaml <expression> | nindent N }}`. */
  readonly block?: boolean;
  /** With block: the key is left out while the value is empty (`{{- with <expression> }}`). */
  readonly optional?: boolean;
}

/** Where a marker replaces a value the construct rendered, and the value expected there. */
export interface HelmPlacement {
  readonly kind: string;
  /** JSON pointer (RFC 6901) of the value in the object. */
  readonly pointer: string;
  /** The value the construct renders with its defaults; generation fails if it moved. */
  readonly expected: unknown;
  /** The text that replaces it (usually a marker's token). */
  readonly replacement: string;
}

type Json = Record<string, unknown>;

/** Places markers into a copy of `objects`; throws when a placement does not find its expected value. */
export function placeMarkers<T extends { readonly kind: string }>(objects: readonly T[], placements: readonly HelmPlacement[]): T[] {
  const copies = objects.map((o) => structuredClone(o) as T);
  for (const p of placements) {
    const target = copies.find((o) => o.kind === p.kind);
    const keys = p.pointer.split("/").slice(1).map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = keys.pop()!;
    const parent = keys.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], target) as Json | undefined;
    if (parent === undefined || JSON.stringify(parent[last]) !== JSON.stringify(p.expected)) {
      throw new Error(`${p.kind} ${p.pointer}: expected ${JSON.stringify(p.expected)}, found ${JSON.stringify(parent?.[last])}; update the placements in charts/generate.ts`);
    }
    parent[last] = p.replacement;
  }
  return copies;
}

/** Replaces each marker token of rendered YAML by its Helm expression. */
export function renderMarkers(yaml: string, markers: readonly HelmMarker[]): string {
  let out = yaml;
  for (const m of markers) {
    if (m.block) {
      out = out.replace(new RegExp(`^( *)(- )?([\\w.-]+): ${m.token}$`, "gm"), (_, indent: string, dash: string | undefined, key: string) => {
        const nested = indent.length + (dash ? 2 : 0) + 2;
        if (m.optional && !dash) return `${indent}{{- with ${m.expression} }}\n${indent}${key}: {{- toYaml . | nindent ${nested} }}\n${indent}{{- end }}`;
        return `${indent}${dash ?? ""}${key}: {{- toYaml ${m.expression} | nindent ${nested} }}`;
      });
    } else {
      out = out.replaceAll(m.token, m.expression);
    }
    if (out.includes(m.token)) throw new Error(`marker ${m.token} is left in the template: a block marker must be the whole value of a key`);
  }
  return out;
}
