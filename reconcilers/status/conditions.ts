/** A status condition as the Kubernetes API conventions define it (metav1.Condition). */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/**
 * Conditions with `update` set, as a new array. lastTransitionTime moves only when the status flips, so
 * re-asserting the same state writes nothing new (and a status update can be skipped as unchanged).
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now = new Date()): Condition[] {
  const existing = findCondition(conditions, update.type);
  const lastTransitionTime =
    existing && existing.status === update.status ? existing.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, "Z");
  const next: Condition = { ...update, lastTransitionTime };
  return existing ? conditions!.map((c) => (c.type === update.type ? next : c)) : [...(conditions ?? []), next];
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
