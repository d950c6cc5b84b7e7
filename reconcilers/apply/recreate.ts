import { isApiError } from "../client/errors.js";
import type { KubeObject, ObjectRef } from "../client/object.js";

/** What the applier does when a change touches a field the server will not update in place. */
export type ImmutablePolicy = "fail" | "recreate";

const POLICIES: readonly ImmutablePolicy[] = ["fail", "recreate"];

/** The object's policy, from its annotation; "fail" when there is none. A value that is not a policy is refused. */
export function immutablePolicyOf(obj: KubeObject, annotation: string): ImmutablePolicy {
  const value = obj.metadata.annotations?.[annotation];
  if (value === undefined) return "fail";
  const policy = POLICIES.find((p) => p === value);
  if (!policy) throw new Error(`${describe(obj)}: annotation ${annotation}: "${value}" is not a policy. Fix: "recreate" (delete and create again) or "fail" (the default).`);
  return policy;
}

// apimachinery's "field is immutable", a Service's "may not change once set", StorageClass' "updates to parameters are forbidden".
const IMMUTABLE = /is immutable|may not change once set|updates to \S+ are forbidden|may not change fields other than/i;

/** The fields a 422 refused because they cannot change in place; [] for any other error. */
export function immutableFields(err: unknown): string[] {
  if (!isApiError(err, 422)) return [];
  const fields = err.causes.filter((c) => IMMUTABLE.test(`${c.message ?? ""} ${c.reason ?? ""}`)).map((c) => c.field ?? "(unnamed field)");
  if (fields.length === 0 && IMMUTABLE.test(err.message)) return ["(unnamed field)"];
  return [...new Set(fields)];
}

/** A change that needs the object deleted and created again, which its policy does not allow. */
export class ImmutableFieldError extends Error {
  constructor(
    readonly ref: ObjectRef,
    readonly fields: readonly string[],
    annotation: string,
    cause: unknown,
  ) {
    super(
      `${describe(ref)}: ${fields.join(", ")} cannot be changed in place (the API server refused: immutable). ` +
        `Fix: restore the live value in the manifest, or annotate the object ${annotation}: recreate to let the applier delete and create it again.`,
      { cause },
    );
    this.name = "ImmutableFieldError";
  }
}

function describe(obj: KubeObject | ObjectRef): string {
  const meta = "metadata" in obj ? obj.metadata : obj;
  return `${obj.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`;
}
