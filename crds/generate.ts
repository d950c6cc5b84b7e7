/**
 * Generates the TypeScript types of crds/types/ from the CRD YAML of crds/.
 *
 * The CRD YAML is the single source of truth. Each sub-schema that carries a
 * `title` in the YAML becomes one named TypeScript type; identical titled
 * sub-schemas (e.g. the component template repeated for every component) are
 * emitted once. A title used by several CRDs goes to crds/types/common.ts.
 *
 * Usage (from the repository root, after `npx tsc`):
 *   node lib/crds/generate.js           write crds/types/*.ts
 *   node lib/crds/generate.js --check   exit 1 when the committed files differ
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";
import YAML from "yaml";

/** The command that regenerates the committed types; quoted in errors. */
export const REGENERATE_COMMAND = "npx tsc && node lib/crds/generate.js";

/** Folder of the generated files, relative to the repository root. */
export const TYPES_DIR = "crds/types";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

export interface GeneratedFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly content: string;
}

interface CrdInfo {
  readonly file: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly schema: Schema;
}

interface Occurrence {
  readonly crd: string;
  readonly path: string;
  readonly schema: Schema;
}

const HEADER = (source: string): string =>
  [
    "/* eslint-disable */",
    "// Generated from " + source + " by crds/generate.ts. Do not edit by hand:",
    "// change the CRD YAML and run `" + REGENERATE_COMMAND + "`.",
    "",
  ].join("\n");

const META_TS = `${HEADER("the Kubernetes API conventions")}
/** Metadata of a Kubernetes object (the subset controllers and tools read and write). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/** Reference to the owner of an object (garbage collection, adoption). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}
`;

function isObject(v: Json | undefined): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** JSON with sorted keys, used to compare sub-schemas structurally. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (isObject(v)) {
    return (
      "{" +
      Object.keys(v)
        .sort()
        .map((k) => JSON.stringify(k) + ":" + canonical(v[k] as Json))
        .join(",") +
      "}"
    );
  }
  return JSON.stringify(v);
}

function withoutDescription(s: Schema): Schema {
  const { description: _d, ...rest } = s;
  return rest;
}

/** Reads every CRD of a folder, in file name order (deterministic). */
export function readCrds(crdDir: string): CrdInfo[] {
  const files = readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  const out: CrdInfo[] = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(readFileSync(join(crdDir, file), "utf8"))) {
      const crd = doc.toJSON() as Schema | null;
      if (!crd || crd["kind"] !== "CustomResourceDefinition") continue;
      const spec = crd["spec"] as Schema;
      const names = spec["names"] as Schema;
      for (const v of spec["versions"] as Schema[]) {
        if (v["served"] === false) continue;
        const schema = (v["schema"] as Schema | undefined)?.["openAPIV3Schema"];
        if (!isObject(schema)) throw new Error(`${file}: version ${String(v["name"])} has no openAPIV3Schema`);
        out.push({
          file,
          group: spec["group"] as string,
          version: v["name"] as string,
          kind: names["kind"] as string,
          plural: names["plural"] as string,
          singular: (names["singular"] as string | undefined) ?? (names["kind"] as string).toLowerCase(),
          shortNames: ((names["shortNames"] as string[] | undefined) ?? []).slice(),
          namespaced: spec["scope"] !== "Cluster",
          schema: JSON.parse(JSON.stringify(schema)) as Schema,
        });
      }
    }
  }
  const kinds = new Set<string>();
  for (const c of out) {
    if (kinds.has(c.kind)) throw new Error(`kind ${c.kind} is served in more than one version; the generator emits one type per kind`);
    kinds.add(c.kind);
  }
  return out;
}

/**
 * Rewrites Kubernetes schema extensions into plain JSON Schema that
 * json-schema-to-typescript understands, and names the root, spec and status.
 */
function prepare(crd: CrdInfo): Schema {
  const root = crd.schema;
  root["title"] = crd.kind;
  const props = root["properties"] as Schema | undefined;
  if (props) {
    props["metadata"] = { tsType: "ObjectMeta", description: "Standard object metadata." };
    for (const [key, suffix] of [["spec", "Spec"], ["status", "Status"]] as const) {
      const sub = props[key];
      if (isObject(sub) && sub["title"] === undefined) sub["title"] = crd.kind + suffix;
    }
  }
  const walk = (s: Schema): void => {
    if (s["x-kubernetes-preserve-unknown-fields"] === true && s["properties"] === undefined) {
      s["additionalProperties"] = true;
    }
    for (const key of Object.keys(s)) {
      if (key.startsWith("x-kubernetes-")) delete s[key];
    }
    for (const key of ["properties", "patternProperties", "definitions"]) {
      const p = s[key];
      if (isObject(p)) for (const v of Object.values(p)) if (isObject(v)) walk(v);
    }
    for (const key of ["items", "additionalProperties", "not"]) {
      const p = s[key];
      if (isObject(p)) walk(p);
    }
    for (const key of ["anyOf", "allOf", "oneOf"]) {
      const p = s[key];
      if (Array.isArray(p)) for (const v of p) if (isObject(v)) walk(v);
    }
  };
  walk(root);
  return root;
}

/** Finds titled sub-schemas (below the root), depth first, in document order. */
function collectTitled(crd: string, s: Schema, path: string, out: Occurrence[], isRoot: boolean): void {
  if (!isRoot && typeof s["title"] === "string") out.push({ crd, path, schema: s });
  const props = s["properties"];
  if (isObject(props)) {
    for (const [k, v] of Object.entries(props)) if (isObject(v)) collectTitled(crd, v, `${path}.${k}`, out, false);
  }
  const items = s["items"];
  if (isObject(items)) collectTitled(crd, items, `${path}[]`, out, false);
  const ap = s["additionalProperties"];
  if (isObject(ap)) collectTitled(crd, ap, `${path}{}`, out, false);
}

/** Replaces every titled sub-schema below `s` by a reference to its named type. */
function replaceTitled(s: Schema, isRoot: boolean): Schema {
  if (!isRoot && typeof s["title"] === "string") {
    const ref: Schema = { tsType: s["title"] };
    if (s["description"] !== undefined) ref["description"] = s["description"];
    return ref;
  }
  const out: Schema = { ...s };
  const props = s["properties"];
  if (isObject(props)) {
    const np: Schema = {};
    for (const [k, v] of Object.entries(props)) np[k] = isObject(v) ? replaceTitled(v, false) : v;
    out["properties"] = np;
  }
  for (const key of ["items", "additionalProperties"]) {
    const v = s[key];
    if (isObject(v)) out[key] = replaceTitled(v, false);
  }
  return out;
}

function referencedTypes(s: Json, out: Set<string>): void {
  if (Array.isArray(s)) {
    for (const v of s) referencedTypes(v, out);
  } else if (isObject(s)) {
    if (typeof s["tsType"] === "string" && /^[A-Z][A-Za-z0-9]*$/.test(s["tsType"])) out.add(s["tsType"]);
    for (const v of Object.values(s)) referencedTypes(v, out);
  }
}

function fileBase(kind: string): string {
  return kind.toLowerCase();
}

async function compileNamed(schema: Schema, name: string): Promise<string> {
  const ts = await compile(schema as never, name, {
    bannerComment: "",
    additionalProperties: false,
    declareExternallyReferenced: true,
    unreachableDefinitions: false,
    strictIndexSignatures: false,
    maxItems: -1,
    format: true,
    style: { singleQuote: false, printWidth: 100, trailingComma: "all", semi: true },
  });
  return ts.trim() + "\n";
}

function importLines(needed: Set<string>, local: Set<string>, owner: Map<string, string>, self: string): string {
  const byFile = new Map<string, string[]>();
  for (const name of [...needed].sort()) {
    if (local.has(name)) continue;
    const file = owner.get(name);
    if (!file) throw new Error(`type ${name} is referenced but defined nowhere`);
    if (file === self) continue;
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  }
  return [...byFile.keys()]
    .sort()
    .map((f) => `import type { ${byFile.get(f)!.join(", ")} } from "./${f}.js";`)
    .join("\n");
}

/** Generates the content of every file of crds/types/ from the CRDs of `crdDir`. */
export async function generateTypes(crdDir: string): Promise<GeneratedFile[]> {
  const crds = readCrds(crdDir);
  const prepared = crds.map((c) => ({ crd: c, schema: prepare(c) }));

  // Titled sub-schemas: check that equal titles mean equal shapes, hoist them.
  const occurrences: Occurrence[] = [];
  for (const p of prepared) collectTitled(p.crd.kind, p.schema, p.crd.kind, occurrences, true);
  const defs = new Map<string, { schema: Schema; crds: Set<string>; descriptions: Set<string> }>();
  for (const o of occurrences) {
    const title = o.schema["title"] as string;
    if (title === "ObjectMeta" || title === "OwnerReference") throw new Error(`${o.path}: title ${title} is reserved`);
    if (crds.some((c) => c.kind === title)) throw new Error(`${o.path}: title ${title} collides with a kind`);
    const existing = defs.get(title);
    const shape = withoutDescription(o.schema);
    if (existing) {
      if (canonical(withoutDescription(existing.schema)) !== canonical(shape)) {
        const first = occurrences.find((x) => x.schema["title"] === title)!;
        throw new Error(`title ${title} names two different schemas (${first.path} and ${o.path}); give them different titles or make them equal`);
      }
      existing.crds.add(o.crd);
      existing.descriptions.add(String(o.schema["description"] ?? ""));
    } else {
      defs.set(title, { schema: o.schema, crds: new Set([o.crd]), descriptions: new Set([String(o.schema["description"] ?? "")]) });
    }
  }

  // Where each named type lives.
  const owner = new Map<string, string>([["ObjectMeta", "meta"], ["OwnerReference", "meta"]]);
  for (const c of crds) owner.set(c.kind, fileBase(c.kind));
  for (const [title, d] of defs) owner.set(title, d.crds.size > 1 ? "common" : fileBase([...d.crds][0]!));

  const defSchema = (title: string): Schema => {
    const d = defs.get(title)!;
    const base = replaceTitled(withoutDescription(d.schema), true);
    base["title"] = title;
    if (d.descriptions.size === 1) {
      const only = [...d.descriptions][0]!;
      if (only !== "") base["description"] = only;
    }
    return base;
  };

  const files: GeneratedFile[] = [];
  const sources = new Map<string, string[]>();
  for (const c of crds) sources.set(fileBase(c.kind), [`crds/${c.file}`]);

  const emit = async (base: string, roots: { name: string; schema: Schema }[], source: string): Promise<void> => {
    const needed = new Set<string>();
    const local = new Set<string>();
    const parts: string[] = [];
    for (const r of roots) {
      local.add(r.name);
      referencedTypes(r.schema, needed);
      parts.push(await compileNamed(r.schema, r.name));
    }
    const imports = importLines(needed, local, owner, base);
    files.push({
      path: `${TYPES_DIR}/${base}.ts`,
      content: HEADER(source) + (imports ? imports + "\n\n" : "\n") + parts.join("\n"),
    });
  };

  // common.ts: titled schemas shared by several CRDs.
  const commonTitles = [...defs.keys()].filter((t) => owner.get(t) === "common").sort();
  if (commonTitles.length > 0) {
    const srcs = [...new Set(commonTitles.flatMap((t) => [...defs.get(t)!.crds].map((k) => `crds/${crds.find((c) => c.kind === k)!.file}`)))].sort();
    await emit("common", commonTitles.map((t) => ({ name: t, schema: defSchema(t) })), srcs.join(", "));
  }
  for (const { crd, schema } of prepared) {
    const base = fileBase(crd.kind);
    const localTitles = [...defs.keys()].filter((t) => owner.get(t) === base);
    // Keep document order: the kind first, then its named parts as they appear.
    const order = occurrences.filter((o) => o.crd === crd.kind).map((o) => o.schema["title"] as string);
    localTitles.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    await emit(
      base,
      [{ name: crd.kind, schema: replaceTitled(schema, true) }, ...localTitles.map((t) => ({ name: t, schema: defSchema(t) }))],
      sources.get(base)!.join(", "),
    );
  }
  files.push({ path: `${TYPES_DIR}/meta.ts`, content: META_TS });

  // index.ts: re-exports plus the API coordinates of every kind.
  const idx: string[] = [HEADER("crds/*.yaml")];
  for (const f of [...files].map((f) => f.path.slice(TYPES_DIR.length + 1, -3)).sort()) idx.push(`export type * from "./${f}.js";`);
  idx.push("");
  idx.push("/** API coordinates of a custom resource kind. */");
  idx.push("export interface CustomResourceInfo {");
  idx.push("  readonly group: string;");
  idx.push("  readonly version: string;");
  idx.push("  readonly apiVersion: string;");
  idx.push("  readonly kind: string;");
  idx.push("  readonly plural: string;");
  idx.push("  readonly singular: string;");
  idx.push("  readonly shortNames: readonly string[];");
  idx.push("  readonly namespaced: boolean;");
  idx.push("}");
  for (const c of crds) {
    idx.push("");
    idx.push(`/** ${c.kind} (${c.plural}.${c.group}/${c.version}), from crds/${c.file}. */`);
    idx.push(`export const ${lowerFirst(c.kind)}Resource = {`);
    idx.push(`  group: ${JSON.stringify(c.group)},`);
    idx.push(`  version: ${JSON.stringify(c.version)},`);
    idx.push(`  apiVersion: ${JSON.stringify(`${c.group}/${c.version}`)},`);
    idx.push(`  kind: ${JSON.stringify(c.kind)},`);
    idx.push(`  plural: ${JSON.stringify(c.plural)},`);
    idx.push(`  singular: ${JSON.stringify(c.singular)},`);
    idx.push(`  shortNames: ${JSON.stringify(c.shortNames)},`);
    idx.push(`  namespaced: ${c.namespaced},`);
    idx.push(`} as const satisfies CustomResourceInfo;`);
  }
  idx.push("");
  idx.push("/** Every kind defined in crds/, in file order. */");
  idx.push(`export const customResources: readonly CustomResourceInfo[] = [${crds.map((c) => `${lowerFirst(c.kind)}Resource`).join(", ")}];`);
  files.push({ path: `${TYPES_DIR}/index.ts`, content: idx.join("\n") + "\n" });

  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Files of crds/types/ that differ from what the CRDs generate (missing, stale or extra). */
export async function findDrift(repoRoot: string): Promise<string[]> {
  const expected = await generateTypes(join(repoRoot, "crds"));
  const drift: string[] = [];
  for (const f of expected) {
    const p = join(repoRoot, f.path);
    if (!existsSync(p)) drift.push(`${f.path} (missing)`);
    else if (readFileSync(p, "utf8") !== f.content) drift.push(`${f.path} (differs)`);
  }
  const dir = join(repoRoot, TYPES_DIR);
  if (existsSync(dir)) {
    const known = new Set(expected.map((f) => f.path));
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith(".ts") && !known.has(`${TYPES_DIR}/${name}`)) drift.push(`${TYPES_DIR}/${name} (not generated from any CRD)`);
    }
  }
  return drift;
}

/** The repository root, found from this file's place (crds/ or lib/crds/). */
export function repoRootFrom(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "crds"))) return dir;
    dir = resolve(dir, "..");
  }
  throw new Error("cannot find the repository root (a folder with package.json and crds/)");
}

async function main(argv: readonly string[]): Promise<number> {
  const root = repoRootFrom(import.meta.url);
  if (argv.includes("--check")) {
    const drift = await findDrift(root);
    if (drift.length === 0) return 0;
    process.stderr.write(`crds/types is out of date with crds/*.yaml:\n  ${drift.join("\n  ")}\nRun: ${REGENERATE_COMMAND}\n`);
    return 1;
  }
  const files = await generateTypes(join(root, "crds"));
  mkdirSync(join(root, TYPES_DIR), { recursive: true });
  for (const f of files) writeFileSync(join(root, f.path), f.content);
  process.stdout.write(`wrote ${files.map((f) => f.path).join(", ")}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
