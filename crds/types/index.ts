/* eslint-disable */
// Generated from crds/*.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.

export type * from "./authuser.js";
export type * from "./common.js";
export type * from "./environmentshell.js";
export type * from "./eventdelivery.js";
export type * from "./gitimport.js";
export type * from "./imagebuild.js";
export type * from "./imagelocation.js";
export type * from "./meta.js";
export type * from "./orchestcluster.js";
export type * from "./pipelinerun.js";
export type * from "./session.js";
export type * from "./subscriber.js";

/** API coordinates of a custom resource kind. */
export interface CustomResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
}

/** AuthUser (authusers.orchest.io/v1alpha1), from crds/authusers.orchest.io.yaml. */
export const authUserResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "AuthUser",
  plural: "authusers",
  singular: "authuser",
  shortNames: ["au"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** EnvironmentShell (environmentshells.orchest.io/v1alpha1), from crds/environmentshells.orchest.io.yaml. */
export const environmentShellResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "EnvironmentShell",
  plural: "environmentshells",
  singular: "environmentshell",
  shortNames: ["esh"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** EventDelivery (eventdeliveries.orchest.io/v1alpha1), from crds/eventdeliveries.orchest.io.yaml. */
export const eventDeliveryResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "EventDelivery",
  plural: "eventdeliveries",
  singular: "eventdelivery",
  shortNames: ["ed"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** GitImport (gitimports.orchest.io/v1alpha1), from crds/gitimports.orchest.io.yaml. */
export const gitImportResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "GitImport",
  plural: "gitimports",
  singular: "gitimport",
  shortNames: ["gi"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** ImageBuild (imagebuilds.orchest.io/v1alpha1), from crds/imagebuilds.orchest.io.yaml. */
export const imageBuildResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "ImageBuild",
  plural: "imagebuilds",
  singular: "imagebuild",
  shortNames: ["ib"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** ImageLocation (imagelocations.orchest.io/v1alpha1), from crds/imagelocations.orchest.io.yaml. */
export const imageLocationResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "ImageLocation",
  plural: "imagelocations",
  singular: "imagelocation",
  shortNames: ["il"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** OrchestCluster (orchestclusters.orchest.io/v1alpha1), from crds/orchestclusters.orchest.io.yaml. */
export const orchestClusterResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "OrchestCluster",
  plural: "orchestclusters",
  singular: "orchestcluster",
  shortNames: ["oc"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** PipelineRun (pipelineruns.orchest.io/v1alpha1), from crds/pipelineruns.orchest.io.yaml. */
export const pipelineRunResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "PipelineRun",
  plural: "pipelineruns",
  singular: "pipelinerun",
  shortNames: ["plr"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** Session (sessions.orchest.io/v1alpha1), from crds/sessions.orchest.io.yaml. */
export const sessionResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "Session",
  plural: "sessions",
  singular: "session",
  shortNames: ["ses"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** Subscriber (subscribers.orchest.io/v1alpha1), from crds/subscribers.orchest.io.yaml. */
export const subscriberResource = {
  group: "orchest.io",
  version: "v1alpha1",
  apiVersion: "orchest.io/v1alpha1",
  kind: "Subscriber",
  plural: "subscribers",
  singular: "subscriber",
  shortNames: ["sub"],
  namespaced: true,
} as const satisfies CustomResourceInfo;

/** Every kind defined in crds/, in file order. */
export const customResources: readonly CustomResourceInfo[] = [authUserResource, environmentShellResource, eventDeliveryResource, gitImportResource, imageBuildResource, imageLocationResource, orchestClusterResource, pipelineRunResource, sessionResource, subscriberResource];
