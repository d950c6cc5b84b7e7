/* eslint-disable */
// Generated from crds/imagebuilds.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * ImageBuild builds one container image (an environment image or a custom JupyterLab image) on a node, through that node's container runtime: a builder pod with the docker socket on docker nodes, or with the buildkitd socket of buildkit-daemon on containerd nodes. The built image is usable on that node at once; the node-agent then pushes it to the in-cluster registry and records an ImageLocation.
 */
export interface ImageBuild {
  /**
   * APIVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  kind?: string;
  /**
   * Standard object metadata.
   */
  metadata?: ObjectMeta;
  /**
   * What to build, from what.
   */
  spec: ImageBuildSpec;
  /**
   * Progress of the build.
   */
  status?: ImageBuildStatus;
}

/**
 * What to build, from what.
 */
export interface ImageBuildSpec {
  /**
   * Reference the built image is tagged with, e.g. orchest-env-<project>-<environment>:<build>. Immutable.
   */
  image: string;
  /**
   * What the image is for: Environment (a pipeline step environment) or JupyterServer (a custom JupyterLab image). Immutable.
   */
  purpose?: "Environment" | "JupyterServer";
  /**
   * UUID of the Orchest project the image belongs to, if any.
   */
  project?: string;
  /**
   * UUID of the Orchest environment the image belongs to, if any.
   */
  environment?: string;
  /**
   * Name of the project, for people (the notification payload of the build's events); never sent as telemetry.
   */
  projectName?: string;
  /**
   * Name of the environment, for people (the notification payload of the build's events); never sent as telemetry.
   */
  environmentName?: string;
  /**
   * The environment's base image as the user chose it, reported in the build's events (telemetry says only whether it is one of Orchest's).
   */
  baseImage?: string;
  /**
   * Where the build context comes from: exactly one of persistentVolumeClaim or configMap. Immutable.
   */
  context: BuildContext;
  /**
   * Path of the Dockerfile relative to the context. Default: Dockerfile.
   */
  dockerfile?: string;
  /**
   * Build arguments (--build-arg NAME=VALUE). Passed as data, never interpolated into a shell.
   *
   * @maxItems 128
   */
  buildArgs?: {
    /**
     * Name of the build argument.
     */
    name: string;
    /**
     * Value of the build argument.
     */
    value?: string;
  }[];
  /**
   * Node to build on. When unset the scheduler picks one (among spec.nodeSelector) and status.node records it.
   */
  nodeName?: string;
  /**
   * Node labels the builder pod must match.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Build only on nodes with this container runtime (containerd or docker). Default: any runtime.
   */
  runtime?: "containerd" | "docker";
  /**
   * Whether the image is pushed to the in-cluster registry after the build (by the node-agent). Default: true.
   */
  push?: boolean;
  /**
   * Seconds after which a build that has not finished is failed. Default: 3600.
   */
  timeoutSeconds?: number;
  /**
   * Set to true to cancel the build; the builder pod is deleted and the phase becomes Cancelled. Cannot be set back to false.
   */
  cancel?: boolean;
}

/**
 * Where the build context comes from: exactly one of persistentVolumeClaim or configMap. Immutable.
 */
export interface BuildContext {
  /**
   * A directory on a PersistentVolumeClaim (typically the user directory).
   */
  persistentVolumeClaim?: {
    /**
     * Name of the PersistentVolumeClaim in the build's namespace.
     */
    claimName: string;
    /**
     * Directory of the build context, relative to the volume root.
     */
    path: string;
  };
  /**
   * A ConfigMap whose keys are the files of the build context.
   */
  configMap?: {
    /**
     * Name of the ConfigMap in the build's namespace.
     */
    name: string;
  };
}

/**
 * Progress of the build.
 */
export interface ImageBuildStatus {
  /**
   * The .metadata.generation the controller last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending: waiting for a builder pod; Building: the builder runs; Succeeded: the image is in the node's runtime; Failed: see reason and message; Cancelled: spec.cancel was set.
   */
  phase?: "Pending" | "Building" | "Succeeded" | "Failed" | "Cancelled";
  /**
   * Machine readable CamelCase reason of the current phase.
   */
  reason?: string;
  /**
   * Human readable explanation of the current phase.
   */
  message?: string;
  /**
   * Node the image is being (or was) built on.
   */
  node?: string;
  /**
   * Container runtime of that node (containerd or docker).
   */
  runtime?: "containerd" | "docker";
  /**
   * Name of the builder pod; its logs are the build log.
   */
  podName?: string;
  /**
   * The built image's reference, under the in-cluster registry's name (spec.image with its registry replaced, e.g. 10.96.0.10/orchest-env-proj-env:3): the name it has in the building node's runtime, the name the node-agent pushes it to and the other nodes pull, and the image pods use.
   */
  image?: string;
  /**
   * Manifest digest of the built image (sha256:<64 hex>), as the registry will serve it.
   */
  digest?: string;
  /**
   * When the builder pod started.
   */
  startTime?: string;
  /**
   * When the build finished (Succeeded, Failed or Cancelled).
   */
  completionTime?: string;
  /**
   * Standard Kubernetes conditions of the object.
   */
  conditions?: Condition[];
}
