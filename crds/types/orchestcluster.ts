/* eslint-disable */
// Generated from crds/orchestclusters.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * OrchestCluster is one Orchest platform (orchest-api, orchest-webserver, auth-server, celery-worker, database, message broker, node agents, image builders and registry) in a namespace. It is field-compatible with Orchest's own orchest.io/v1alpha1 OrchestCluster; the operator never writes defaults back into .spec.
 */
export interface OrchestCluster {
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
   * OrchestClusterSpec describes the Orchest platform a user wants. Every field is optional; the documented defaults are applied when manifests are synthesized and never written back into .spec.
   */
  spec?: OrchestClusterSpec;
  /**
   * Observed state of the cluster, written by the operator through the status subresource.
   */
  status?: OrchestClusterStatus;
}

/**
 * OrchestClusterSpec describes the Orchest platform a user wants. Every field is optional; the documented defaults are applied when manifests are synthesized and never written back into .spec.
 */
export interface OrchestClusterSpec {
  /**
   * Whether Orchest runs on a single node. When true, all Orchest pods (including session pods) are scheduled on the same node and the user directory is ReadWriteOnce. Default: true, as in Orchest.
   */
  singleNode?: boolean;
  /**
   * Settings of the Orchest services.
   */
  orchest?: OrchestSpec;
  /**
   * Configuration of orchest-database (PostgreSQL).
   */
  postgres?: OrchestComponentTemplate;
  /**
   * Configuration of rabbitmq-server (the Celery message broker).
   */
  rabbitMq?: OrchestComponentTemplate;
  /**
   * Third-party applications of Orchest's CR (argo-workflow, docker-registry, ingress-nginx). Accepted for compatibility; this operator always deploys its own docker-registry and ignores the others.
   *
   * @maxItems 32
   */
  applications?: ApplicationSpec[];
  /**
   * Node labels that pods of the control plane (database, broker, orchest-api, celery-worker, auth-server, orchest-webserver, docker-registry) must match.
   */
  controlNodeSelector?: {
    [k: string]: string;
  };
  /**
   * Node labels that pods of the worker plane (node-agent, buildkit-daemon, and the builds and sessions started by Orchest) must match.
   */
  workerNodeSelector?: {
    [k: string]: string;
  };
}

/**
 * Settings of the Orchest services.
 */
export interface OrchestSpec {
  /**
   * Orchest version, CalVer vYYYY.MM.N (e.g. v2022.10.5). Components without a custom image run <registry>/orchest/<component>:<version>. Default: the version the operator was built for.
   */
  version?: string;
  /**
   * Registry host[:port] that non-custom Orchest images are pulled from, without scheme or path. Default: none (empty or unset), as in Orchest: images are named orchest/<component>:<version>, which runtimes pull from docker.io. An image is custom when its registry differs from this one, as written (docker.io/orchest/... is custom while this is unset).
   */
  registry?: string;
  /**
   * When true, the operator scales the Orchest components down (in reverse deployment order) and keeps them stopped; set back to false to resume. Default: false.
   */
  pause?: boolean;
  /**
   * Fully qualified host name Orchest is served on. When set, orchest-webserver gets an Ingress for this host and ORCHEST_FQDN is set in the components.
   */
  orchestHost?: string;
  /**
   * Environment variables set in every Orchest component; a component's own env overrides these.
   *
   * @maxItems 256
   *
   * Items: An environment variable set in the container (core/v1 EnvVar).
   */
  env?: EnvVar[];
  /**
   * Volumes of the Orchest cluster (user directory and Orchest state).
   */
  resources?: OrchestResourcesSpec;
  /**
   * Configuration of orchest-api.
   */
  orchestApi?: OrchestComponentTemplate;
  /**
   * Configuration of orchest-webserver.
   */
  orchestWebServer?: OrchestComponentTemplate;
  /**
   * Configuration of celery-worker.
   */
  celeryWorker?: OrchestComponentTemplate;
  /**
   * Configuration of node-agent (one pod per node).
   */
  nodeAgent?: OrchestComponentTemplate;
  /**
   * Configuration of buildkit-daemon (one pod per containerd node).
   */
  buildkitDaemon?: OrchestComponentTemplate;
  /**
   * Configuration of auth-server.
   */
  authServer?: OrchestComponentTemplate;
}

/**
 * An environment variable set in the container (core/v1 EnvVar).
 */
export interface EnvVar {
  /**
   * Name of the environment variable. Must be a C_IDENTIFIER.
   */
  name: string;
  /**
   * Value of the variable. References $(VAR_NAME) are expanded using the previously defined environment variables in the container. Mutually exclusive with valueFrom.
   */
  value?: string;
  /**
   * Source for the variable's value. Mutually exclusive with value.
   */
  valueFrom?: {
    /**
     * Selects a key of a ConfigMap in the cluster's namespace.
     */
    configMapKeyRef?: {
      /**
       * The key to select.
       */
      key: string;
      /**
       * Name of the ConfigMap.
       */
      name?: string;
      /**
       * Whether the ConfigMap or its key may be missing.
       */
      optional?: boolean;
    };
    /**
     * Selects a field of the pod: metadata.name, metadata.namespace, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.
     */
    fieldRef?: {
      /**
       * Version of the schema the fieldPath is written in terms of (default v1).
       */
      apiVersion?: string;
      /**
       * Path of the field to select.
       */
      fieldPath: string;
    };
    /**
     * Selects a resource of the container: limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage.
     */
    resourceFieldRef?: {
      /**
       * Container name: optional for env vars.
       */
      containerName?: string;
      /**
       * Output format of the exposed resource (default "1").
       */
      divisor?: number | string;
      /**
       * Required: resource to select.
       */
      resource: string;
    };
    /**
     * Selects a key of a Secret in the cluster's namespace.
     */
    secretKeyRef?: {
      /**
       * The key of the Secret to select from.
       */
      key: string;
      /**
       * Name of the Secret.
       */
      name?: string;
      /**
       * Whether the Secret or its key may be missing.
       */
      optional?: boolean;
    };
  };
}

/**
 * Volumes of the Orchest cluster (user directory and Orchest state).
 */
export interface OrchestResourcesSpec {
  /**
   * Volume holding the user directory (projects, data, environments): the claim userdir-pvc, mounted at /userdir. Default size: 50Gi.
   */
  userDirVolume?: VolumeSpec;
  /**
   * Volume holding Orchest's state (database, message broker, celery's state) when separateOrchestStateFromUserDir is true: the claim orchest-state, ReadWriteOnce. Default size: 5Gi.
   */
  orchestStateVolume?: VolumeSpec;
  /**
   * Size of the user directory volume (legacy form of userDirVolume.volumeSize, which wins when both are set, as Orchest's controller writes both). Default: 50Gi.
   */
  userDirVolumeSize?: string;
  /**
   * Whether Orchest state (database, message broker) lives on its own volume instead of the user directory. Default: false.
   */
  separateOrchestStateFromUserDir?: boolean;
  /**
   * Size of the Orchest state volume when separateOrchestStateFromUserDir is true (legacy form of orchestStateVolume.volumeSize, which wins when both are set; Orchest's controller writes it in every CR). Default: 5Gi.
   */
  orchestStateVolumeSize?: string;
  /**
   * Deprecated and ignored; kept so that existing Orchest manifests are accepted.
   */
  configDirVolumeSize?: string;
}

export interface VolumeSpec {
  /**
   * Requested size of the volume, a Kubernetes quantity such as 50Gi.
   */
  volumeSize?: string;
  /**
   * Accepted for compatibility and ignored, as Orchest's controller ignores it: the components mount their volumes at fixed paths (the user directory at /userdir).
   */
  mountPath?: string;
  /**
   * StorageClass of the PersistentVolumeClaim; the cluster's default StorageClass when unset.
   */
  storageClass?: string;
}

export interface OrchestComponentTemplate {
  /**
   * Image to deploy for this component. A custom image (another registry than spec.orchest.registry, a repository other than orchest/<component>, or a tag that is not CalVer vYYYY.MM.N) is deployed as is and never rewritten on update; otherwise the component follows spec.orchest.version.
   */
  image?: string;
  /**
   * List of environment variables to set in the component's container; they override spec.orchest.env for this component.
   *
   * @maxItems 256
   *
   * Items: An environment variable set in the container (core/v1 EnvVar).
   */
  env?: EnvVar[];
  /**
   * Selector which must match a node's labels for the component's pods to be scheduled on that node; added to spec.controlNodeSelector or spec.workerNodeSelector.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Name of the volume backing the component, if any (kept for compatibility with Orchest's CR; the operator chooses the volume from spec.orchest.resources).
   */
  stateVolumeName?: string;
}

export interface ApplicationSpec {
  /**
   * Name of the application to deploy.
   */
  name?: string;
  /**
   * Names of the applications this one depends on.
   */
  needs?: string[];
  /**
   * Where the application's manifests or chart come from.
   */
  config: {
    /**
     * Helm specific options.
     */
    helm?: {
      /**
       * Helm parameters passed to helm template.
       */
      parameters?: {
        /**
         * Whether Helm interprets booleans and numbers as strings.
         */
        forceString?: boolean;
        /**
         * Name of the Helm parameter.
         */
        name?: string;
        /**
         * Value of the Helm parameter.
         */
        value?: string;
      }[];
      /**
       * Helm release name; the application name when unset.
       */
      releaseName?: string;
      /**
       * Helm values files.
       */
      values?: string[];
    };
  };
}

/**
 * Observed state of the cluster, written by the operator through the status subresource.
 */
export interface OrchestClusterStatus {
  /**
   * The .metadata.generation the operator last reconciled.
   */
  observedGeneration?: number;
  /**
   * Coarse lifecycle phase: Deploying, Running, Updating, Pausing, Paused, Degraded or Deleting. Use the conditions for decisions.
   */
  phase?: "Deploying" | "Running" | "Updating" | "Pausing" | "Paused" | "Degraded" | "Deleting";
  /**
   * The phase in the names of Orchest's controller, which Orchest's orchest-cli and UI read (orchest status, update, restart): Deploying Third Parties, Deploying Orchest Control Plane, Running, Updating, Restarting, Stopping, Stopped, Starting, Error or Deleting.
   */
  state?:
    | "Initializing"
    | "Deploying Third Parties"
    | "Deployed Third Parties"
    | "Deploying Orchest Control Plane"
    | "Deployed Orchest Control Plane"
    | "Restarting"
    | "Starting"
    | "Running"
    | "Stopping"
    | "Cleanup"
    | "Stopped"
    | "Updating"
    | "Error"
    | "Unknown"
    | "Unhealthy"
    | "Deleting";
  /**
   * When the operator last acted on an orchest.io/restart request; stamped on every pod template, so a new value rolls every pod.
   */
  restartedAt?: string;
  /**
   * The Orchest version that is fully rolled out.
   */
  version?: string;
  /**
   * Standard conditions: Ready (every component available), Progressing (a rollout is under way), Degraded (something needs a person: reason and message say what).
   */
  conditions?: Condition[];
  /**
   * Readiness of each component, in deployment order.
   */
  components?: ComponentStatus[];
  /**
   * Container runtimes detected on the cluster's nodes.
   */
  runtimes?: RuntimeStatus[];
  /**
   * Objects the operator applied for this cluster, used to prune what is no longer desired.
   */
  inventory?: Inventory;
}

export interface ComponentStatus {
  /**
   * Component name, e.g. orchest-api.
   */
  name: string;
  /**
   * Kind of the workload backing the component (Deployment, StatefulSet, DaemonSet).
   */
  kind?: string;
  /**
   * Whether the component's workload is fully rolled out and available.
   */
  ready?: boolean;
  /**
   * Image the component runs.
   */
  image?: string;
  /**
   * Replicas (or scheduled pods for a DaemonSet) wanted.
   */
  desiredReplicas?: number;
  /**
   * Replicas (or pods) ready.
   */
  readyReplicas?: number;
  /**
   * Replicas (or pods) running the current template.
   */
  updatedReplicas?: number;
  /**
   * Why the component is not ready, if it is not.
   */
  message?: string;
}

export interface RuntimeStatus {
  /**
   * Container runtime, containerd or docker.
   */
  runtime: string;
  /**
   * Number of nodes using this runtime.
   */
  nodes?: number;
}

/**
 * Objects the operator applied for this cluster, used to prune what is no longer desired.
 */
export interface Inventory {
  entries?: InventoryEntry[];
}

export interface InventoryEntry {
  /**
   * API version of the object.
   */
  apiVersion: string;
  /**
   * Kind of the object.
   */
  kind: string;
  /**
   * Namespace of the object; empty for cluster-scoped objects.
   */
  namespace?: string;
  /**
   * Name of the object.
   */
  name: string;
}
