/* eslint-disable */
// Generated from crds/sessions.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { ObjectMeta } from "./meta.js";

/**
 * Session is an interactive session of one pipeline of a project, as Orchest's interactive sessions were: a Jupyter server (a Deployment and a Service named jupyter-server-<name>, owned by this resource) on the project directory, placed on a node that holds its image. Deleting the Session stops the server.
 */
export interface Session {
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
   * The project and pipeline of the session, where they are, as whom, with which image.
   */
  spec: SessionSpec;
  /**
   * Where the session is.
   */
  status?: SessionStatus;
}

/**
 * The project and pipeline of the session, where they are, as whom, with which image.
 */
export interface SessionSpec {
  /**
   * The project's UUID (ORCHEST_PROJECT_UUID).
   */
  project: string;
  /**
   * The project's name, for the session's events.
   */
  projectName?: string;
  /**
   * The pipeline of the session.
   */
  pipeline: SessionPipeline;
  /**
   * The user directory and the project directory in it.
   */
  userdir: SessionUserdir;
  /**
   * The AuthUser (the auth user's UUID) whose git config and SSH keys the Jupyter server gets; its keys are loaded into an ssh-agent there. Unset, the server has neither.
   */
  authUser?: string;
  /**
   * The Jupyter server's image: jupyter-server on PATH, with sh, git, ssh, ssh-agent and ssh-add. Unset, the api's --jupyter-image: this project's jupyter-server image of the operator's release.
   */
  image?: string;
}

/**
 * The pipeline of the session.
 */
export interface SessionPipeline {
  /**
   * The pipeline's UUID (ORCHEST_PIPELINE_UUID).
   */
  uuid: string;
  /**
   * The pipeline file, relative to the project directory, e.g. main.orchest. It must exist when the session starts.
   */
  path: string;
  /**
   * The pipeline's name, for the session's events.
   */
  name?: string;
}

/**
 * The user directory and the project directory in it.
 */
export interface SessionUserdir {
  /**
   * Name of the PersistentVolumeClaim in this namespace, e.g. userdir-pvc.
   */
  claimName: string;
  /**
   * The project directory in the user directory, e.g. projects/demo.
   */
  projectDir: string;
}

/**
 * Where the session is.
 */
export interface SessionStatus {
  /**
   * The generation last acted on.
   */
  observedGeneration?: number;
  /**
   * Launching (the Jupyter server does not answer yet, or no longer does), Running (it answers) or Failed (it did not start within its Deployment's progress deadline; the reason in message). A Failed session stays Failed: delete it and create another.
   */
  phase?: "Launching" | "Running" | "Failed";
  /**
   * Why the session failed, as its server's pod says.
   */
  message?: string;
  /**
   * The Jupyter server's base URL inside the cluster, through its Service.
   */
  url?: string;
  /**
   * When the Jupyter server first answered.
   */
  startTime?: string;
  /**
   * When the session failed.
   */
  completionTime?: string;
}
