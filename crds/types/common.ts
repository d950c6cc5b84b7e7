/* eslint-disable */
// Generated from crds/eventdeliveries.orchest.io.yaml, crds/imagebuilds.orchest.io.yaml, crds/imagelocations.orchest.io.yaml, crds/orchestclusters.orchest.io.yaml, crds/pipelineruns.orchest.io.yaml, crds/subscribers.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.

export interface Condition {
  /**
   * Type of the condition.
   */
  type: string;
  /**
   * Status of the condition, one of True, False, Unknown.
   */
  status: "True" | "False" | "Unknown";
  /**
   * The .metadata.generation the condition was set for.
   */
  observedGeneration?: number;
  /**
   * Last time the condition changed status.
   */
  lastTransitionTime: string;
  /**
   * Machine readable CamelCase reason of the last transition.
   */
  reason: string;
  /**
   * Human readable message explaining the last transition.
   */
  message: string;
}
