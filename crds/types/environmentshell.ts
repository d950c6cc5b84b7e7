/* eslint-disable */
// Generated from crds/environmentshells.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { ObjectMeta } from "./meta.js";

/**
 * EnvironmentShell is a shell in an environment's image next to an interactive session, as Orchest's environment shells were: sshd in the image (a Deployment and a Service named environment-shell-<name>, owned by this resource) on the session's project directory, with the session's auth user's git identity. The Jupyter server reaches it with `ssh -F /etc/orchest/shell/ssh_config <status.host>`, its ssh-agent forwarded: the user's SSH keys are used from the server and never mounted in the shell. Owned by its Session: deleting the Session deletes its shells.
 */
export interface EnvironmentShell {
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
   * The session the shell belongs to and the environment image it runs.
   */
  spec: EnvironmentShellSpec;
  /**
   * Where the shell is.
   */
  status?: EnvironmentShellStatus;
}

/**
 * The session the shell belongs to and the environment image it runs.
 */
export interface EnvironmentShellSpec {
  /**
   * The name of a Session in this namespace; the shell starts once it is Running.
   */
  session: string;
  /**
   * The environment's image. It must have /usr/sbin/sshd with its privilege-separation user `sshd`, /bin/sh, mkdir, git and ssh-add, and root's login shell a real shell (sshd runs commands through it).
   */
  image: string;
  /**
   * The environment's UUID, for names and labels.
   */
  environment?: string;
}

/**
 * Where the shell is.
 */
export interface EnvironmentShellStatus {
  /**
   * The generation last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending (its session is not Running yet, or its sshd is not ready), Running (sshd accepts connections at host) or Failed (it did not start within its Deployment's progress deadline; the reason in message).
   */
  phase?: "Pending" | "Running" | "Failed";
  /**
   * The shell pod's IP, where the Jupyter server's ssh connects (port 22).
   */
  host?: string;
  /**
   * Why the shell is pending or failed.
   */
  message?: string;
}
