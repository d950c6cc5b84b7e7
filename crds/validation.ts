/**
 * Validates an object of one of this project's kinds as the API server does
 * on create, from the CRD YAML of crds/ alone: its OpenAPI schema (ajv), its
 * CEL rules (cel-js, plus Kubernetes' quantity and URL libraries) and, as
 * kubectl's strict field validation does, its unknown fields. Every problem
 * is reported, each as `field.path: what is wrong (the fix)`.
 *
 * Unlike the API server, rules are also checked next to a type error
 * elsewhere (it stops at the first type error), so one run lists everything.
 * Transition rules (those reading `oldSelf`) are skipped, as on create.
 */
import { Environment } from "@marcbachmann/cel-js";
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { parseQuantity } from "../reconcilers/apply/quantity.js";

// ajv and ajv-formats are CommonJS modules whose default export is the module object under NodeNext.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** One reason the API server would refuse the object. */
export interface Problem {
  /** Field path as the API server writes it: `spec.orchest.env[0].name`. */
  readonly path: string;
  /** What is wrong, and how to fix it. */
  readonly message: string;
}

/** Thrown by `assertValid`: every problem of the object, one per line. */
export class InvalidObjectError extends Error {
  constructor(
    what: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${what} is not valid for its CRD (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
  }
}

type Schema = { [key: string]: any };
interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
}

const CRD_DIR = fileURLToPath(new URL("../../crds/", import.meta.url));

/** Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go), the functions CRD rules use. */
class Quantity {
  constructor(readonly value: number) {}
}
/** Kubernetes' CEL URL library (library/urls.go). */
class Url {
  constructor(readonly url: URL) {}
}
const quantityOf = (text: string): Quantity => {
  const value = parseQuantity(text);
  if (value === undefined) throw new Error(`quantity: "${text}" is not a quantity`);
  return new Quantity(value);
};

const cel = new Environment({ unlistedVariablesAreDyn: true })
  .registerType("Quantity", Quantity)
  .registerType("URL", Url)
  .registerFunction("isQuantity(string): bool", (s: string) => parseQuantity(s) !== undefined)
  .registerFunction("quantity(string): Quantity", quantityOf)
  .registerFunction("Quantity.isGreaterThan(Quantity): bool", (a: Quantity, b: Quantity) => a.value > b.value)
  .registerFunction("Quantity.isLessThan(Quantity): bool", (a: Quantity, b: Quantity) => a.value < b.value)
  .registerFunction("Quantity.compareTo(Quantity): int", (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)))
  .registerFunction("Quantity.asApproximateFloat(): double", (a: Quantity) => a.value)
  .registerFunction("isURL(string): bool", (s: string) => URL.canParse(s))
  .registerFunction("url(string): URL", (s: string) => new Url(new URL(s)))
  .registerFunction("URL.getScheme(): string", (u: Url) => u.url.protocol.replace(/:$/, ""))
  .registerFunction("URL.getHost(): string", (u: Url) => u.url.host)
  .registerFunction("URL.getHostname(): string", (u: Url) => u.url.hostname)
  .registerFunction("URL.getPort(): string", (u: Url) => u.url.port)
  .registerFunction("URL.getEscapedPath(): string", (u: Url) => u.url.pathname);

/** A JSON value as CEL sees it under its schema: `type: integer` is CEL's int (a bigint here), `number` its double. */
function toCel(value: unknown, schema: Schema | undefined): unknown {
  if (typeof value === "number" && schema?.["type"] === "integer" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.["items"]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, schema?.["properties"]?.[k] ?? schema?.["additionalProperties"])]));
  }
  return value;
}

/** Field path of an ajv instance path (JSON pointer): `/spec/env/0/name` → `spec.env[0].name`. */
function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, key) => (/^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key), "");
}

const shown = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : typeof value === "object" ? JSON.stringify(value)?.slice(0, 80) ?? "" : String(value));
const jsonType = (value: unknown): string => (Array.isArray(value) ? "list" : typeof value === "object" ? "mapping" : typeof value);
const TYPE_FIX: Readonly<Record<string, string>> = {
  string: "quote it, or write text",
  integer: "write a whole number without quotes",
  number: "write a number without quotes",
  boolean: "write true or false, without quotes",
  object: "write a mapping of fields",
  array: "write a list",
};
const typeName = (t: string) => (t === "object" ? "mapping" : t === "array" ? "list" : t === "integer" ? "whole number" : t);

/** An ajv error (or one of ours, keyword "cel") in the words of this project's CLI. */
function problemOf(error: ErrorObject, root: unknown): Problem {
  const path = fieldPath(error.instancePath);
  const value = error.instancePath.split("/").slice(1).reduce<any>((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], root);
  const at = (child: string) => (path ? `${path}.${child}` : child);
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case "type": {
      const wanted = String(p["type"]).split(",")[0]!;
      const got = value === null ? "null" : `the ${jsonType(value)} ${shown(value)}`;
      return { path, message: `must be a ${typeName(wanted)}, not ${got} (${TYPE_FIX[wanted] ?? `write a ${wanted}`})` };
    }
    case "required":
      return { path: at(p["missingProperty"]), message: "is required (add it)" };
    case "additionalProperties": {
      const known = Object.keys((error.parentSchema as Schema | undefined)?.["properties"] ?? {});
      return { path: at(p["additionalProperty"]), message: `unknown field (remove it or fix its spelling; known fields here: ${known.join(", ")})` };
    }
    case "enum":
      return { path, message: `must be one of ${(p["allowedValues"] as unknown[]).map(shown).join(", ")}, not ${shown(value)} (pick one of them)` };
    case "format":
      return { path, message: `must be a ${p["format"]}, not ${shown(value)} (${p["format"] === "date-time" ? "write an RFC 3339 time such as 2024-05-01T12:00:00Z" : `write a valid ${p["format"]}`})` };
    case "cel":
      return { path, message: `${String(error.message).replace(new RegExp(`^${path.replace(/[.[\]]/g, "\\$&")}:? `), "")}; got ${shown(value)}` };
    default:
      return { path, message: `${error.message}, not ${shown(value)} (change the value to fit)` };
  }
}

/**
 * The CRD schema as ajv reads it: objects that list their properties take no
 * others (kubectl's strict field validation reports them as unknown fields).
 */
function strictSchema(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "x-kubernetes-validations" || k === "enum" ? v : strictSchema(v)]));
  if (out["properties"] && out["additionalProperties"] === undefined && !out["x-kubernetes-preserve-unknown-fields"]) out["additionalProperties"] = false;
  return out;
}

interface CelFailure {
  readonly error: ErrorObject;
  /** The rule could not be evaluated on this data: kept only when no type error explains why. */
  readonly unevaluable: boolean;
}

let failures: CelFailure[] = [];
let ajv: InstanceType<typeof Ajv> | undefined;

/** One ajv instance for every CRD, with the keywords and formats of Kubernetes' structural schemas. */
function kubernetesAjv(): InstanceType<typeof Ajv> {
    // Code optimization costs more than it saves here: each schema is compiled per process and run a few times.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, code: { optimize: false } });
  addFormats(ajv, ["date-time"]);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addKeyword({
    keyword: "x-kubernetes-int-or-string",
    validate: (enabled: boolean, data: unknown) => !enabled || typeof data === "string" || Number.isInteger(data),
    error: { message: "must be a whole number or a string" },
  });
  ajv.addKeyword({
    keyword: "x-kubernetes-validations",
    schemaType: "array",
    validate: (rules: Rule[], data: unknown, parentSchema?: Schema, ctx?: { instancePath: string }) => {
      const self = toCel(data, parentSchema);
      for (const r of rules.filter((r) => !/\boldSelf\b/.test(r.rule))) {
        const instancePath = `${ctx?.instancePath ?? ""}${(r.fieldPath ?? "").replaceAll(".", "/")}`;
        const error = (message: string): ErrorObject => ({ keyword: "cel", instancePath, schemaPath: "", params: { rule: r.rule }, message });
        try {
          if (cel.evaluate(r.rule, { self }) === true) continue;
          const message = r.messageExpression ? String(cel.evaluate(r.messageExpression, { self })) : (r.message ?? `failed rule: ${r.rule}`);
          failures.push({ error: error(message), unevaluable: false });
        } catch (e) {
          failures.push({ error: error(`rule ${r.rule} could not be evaluated: ${(e as Error).message}`), unevaluable: true });
        }
      }
      return true;
    },
  });
  return ajv;
}

/** The validator of one CRD version; its errors are ajv's and the failed CEL rules. */
function compileValidator(schema: Schema): ValidateFunction {
  ajv ??= kubernetesAjv();
  const compiled = ajv.compile(strictSchema(schema));
  const validate = ((data: unknown) => {
    failures = [];
    const valid = compiled(data);
    const typeErrorPaths = (compiled.errors ?? []).filter((e) => e.keyword === "type").map((e) => e.instancePath);
    const cel = failures.filter((f) => !f.unevaluable || !typeErrorPaths.some((p) => p.startsWith(f.error.instancePath))).map((f) => f.error);
    validate.errors = [...(compiled.errors ?? []), ...cel];
    return valid && cel.length === 0;
  }) as ValidateFunction;
  return validate;
}

// apimachinery's name formats (k8s.io/apimachinery/pkg/util/validation); [.] instead of \. spares CEL's string escapes.
const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = `${DNS_LABEL}([.]${DNS_LABEL})*`;
const qualifiedName = (letters: string) => `^(${DNS_SUBDOMAIN.replaceAll("a-z", letters)}/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$`;
const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
const QUALIFIED = "qualified names such as app.kubernetes.io/name or tier: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

/**
 * What the API server checks of every object's metadata (apimachinery's ValidateObjectMeta) and no CRD
 * schema carries, as schema and CEL rules: `orchest synth` writes the cluster's namespace into every
 * object, so a namespace that cannot exist must fail there. Other metadata fields are left as they are.
 */
const OBJECT_META: Schema = {
  type: "object",
  "x-kubernetes-preserve-unknown-fields": true,
  properties: {
    name: { type: "string" },
    namespace: { type: "string" },
    labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
  },
  "x-kubernetes-validations": [
    {
      rule: `!has(self.name) || size(self.name) <= 253 && self.name.matches('^${DNS_SUBDOMAIN}$')`,
      fieldPath: ".name",
      message: "must be a lower-case RFC 1123 subdomain such as cluster-1: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (rename it)",
    },
    {
      rule: `!has(self.namespace) || size(self.namespace) <= 63 && self.namespace.matches('^${DNS_LABEL}$')`,
      fieldPath: ".namespace",
      message: "must be a lower-case RFC 1123 label such as orchest: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (use another namespace)",
    },
    { rule: `!has(self.labels) || self.labels.all(k, k.matches('${qualifiedName("a-z")}'))`, fieldPath: ".labels", message: `label keys must be ${QUALIFIED} (rename the key)` },
    {
      rule: `!has(self.labels) || self.labels.all(k, self.labels[k].matches('${LABEL_VALUE}'))`,
      fieldPath: ".labels",
      message: "label values must be empty or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (put free text in an annotation)",
    },
    // The API server lower-cases an annotation's key before it checks it.
    { rule: `!has(self.annotations) || self.annotations.all(k, k.matches('${qualifiedName("a-zA-Z")}'))`, fieldPath: ".annotations", message: `annotation keys must be ${QUALIFIED} (rename the key)` },
  ],
};

/** The schema of every served version of every CRD in crds/, by `apiVersion/kind`. */
function readSchemas(): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml")).sort()) {
    const crd = YAML.parse(readFileSync(`${CRD_DIR}${file}`, "utf8"));
    for (const version of crd.spec.versions) {
      const schema = version.schema.openAPIV3Schema;
      schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, { ...schema, properties: { ...schema.properties, metadata: OBJECT_META } });
    }
  }
  return schemas;
}

let schemas: Map<string, Schema> | undefined;
const validators = new Map<string, ValidateFunction>();

/** The schema of `object`'s kind and its key; throws for a kind not in crds/. */
function schemaOf(object: { apiVersion?: string; kind?: string }): { key: string; schema: Schema } {
  schemas ??= readSchemas();
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = schemas.get(key);
  if (!schema) throw new Error(`${key} is not a kind of crds/: use one of ${[...schemas.keys()].join(", ")}`);
  return { key, schema };
}

/** `value` without the nulls its schema does not allow, in mappings (apiextensions' PruneNonNullableNullsWithoutDefaults; no CRD here has defaults). */
function dropNulls(value: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => dropNulls(item, schema?.["items"]));
  if (value === null || typeof value !== "object") return value;
  const fieldSchema = (key: string): Schema | undefined => schema?.["properties"]?.[key] ?? (typeof schema?.["additionalProperties"] === "object" ? schema["additionalProperties"] : undefined);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => v !== null || fieldSchema(key)?.["nullable"] === true || (!fieldSchema(key) && schema?.["x-kubernetes-preserve-unknown-fields"]))
      .map(([key, v]) => [key, dropNulls(v, fieldSchema(key))]),
  );
}

/** `object` as the API server would store it: null values of fields that are not `nullable` dropped, its first step on a write. */
export function asStored<T extends { apiVersion?: string; kind?: string }>(object: T): T {
  return dropNulls(object, schemaOf(object).schema) as T;
}

/** Every problem the API server would report creating `object` (empty when valid); throws for a kind not in crds/. */
export function validate(object: { apiVersion?: string; kind?: string }): Problem[] {
  const { key, schema } = schemaOf(object);
  const check = validators.get(key) ?? validators.set(key, compileValidator(schema)).get(key)!;
  const stored = asStored(object);
  if (check(stored)) return [];
  const problems = (check.errors ?? []).map((e) => problemOf(e, stored));
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.path}: ${p.message}`) && seen.add(`${p.path}: ${p.message}`));
}

/** Throws an `InvalidObjectError` listing every problem of `object`; `what` names it in the message (e.g. the file). */
export function assertValid(object: { apiVersion?: string; kind?: string }, what: string): void {
  const problems = validate(object);
  if (problems.length > 0) throw new InvalidObjectError(what, problems);
}
