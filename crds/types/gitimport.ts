/* eslint-disable */
// Generated from crds/gitimports.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { ObjectMeta } from "./meta.js";

/**
 * GitImport clones a git repository into a project directory of the user directory, as Orchest's git imports did: one pod (owned by this resource) runs git clone, with the git config and SSH keys of the auth user it names (an AuthUser). The URL and paths reach git as arguments, never through a shell.
 */
export interface GitImport {
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
   * What to clone, where to, as whom, with which image.
   */
  spec: GitImportSpec;
  /**
   * How the clone went.
   */
  status?: GitImportStatus;
}

/**
 * What to clone, where to, as whom, with which image.
 */
export interface GitImportSpec {
  /**
   * The repository, as git clone takes it: https://host/repo.git, ssh://git@host/repo.git or git@host:repo.git.
   */
  url: string;
  /**
   * A branch or tag to check out instead of the repository's default branch.
   */
  ref?: string;
  /**
   * The AuthUser (the auth user's UUID) whose git config and SSH keys the clone uses. Unset, the clone has neither.
   */
  authUser?: string;
  /**
   * An image with git and ssh, run as root (the user directory is root's, as in Orchest). Unset, the api's --git-image: this project's git image of the operator's release.
   */
  image?: string;
  /**
   * The user directory and the project directory in it that the clone creates.
   */
  userdir: GitImportTarget;
}

/**
 * The user directory and the project directory in it that the clone creates.
 */
export interface GitImportTarget {
  /**
   * Name of the PersistentVolumeClaim in this namespace, e.g. userdir-pvc.
   */
  claimName: string;
  /**
   * The new project directory in the user directory, e.g. projects/demo; git refuses one that exists and is not empty.
   */
  path: string;
}

/**
 * How the clone went.
 */
export interface GitImportStatus {
  /**
   * The generation last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending (the pod is not running yet), Running, Succeeded (cloned) or Failed (git's last words in message).
   */
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  /**
   * The pod that clones.
   */
  podName?: string;
  /**
   * Why it failed, in one word.
   */
  reason?: string;
  /**
   * What git said when it failed.
   */
  message?: string;
  /**
   * When it ended.
   */
  completionTime?: string;
}
