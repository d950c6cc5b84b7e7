/* eslint-disable */
// Generated from the Kubernetes API conventions by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.

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
