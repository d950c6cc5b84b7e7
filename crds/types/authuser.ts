/* eslint-disable */
// Generated from crds/authusers.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { ObjectMeta } from "./meta.js";

/**
 * AuthUser is one of Orchest's auth users (named by its UUID) with the git settings its pods get: the git config (name, email) for the Jupyter server, environment shells and git imports, and SSH private keys for the Jupyter server and git imports. The keys live in Secrets of type kubernetes.io/ssh-auth that this resource only names: key material is never in a spec or status. The api's /auth-users/ endpoints (Orchest's) write this resource and those Secrets.
 */
export interface AuthUser {
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
   * The auth user's git config and the Secrets of its SSH keys.
   */
  spec: AuthUserSpec;
  /**
   * Nothing yet; kept for the conventions (a status subresource).
   */
  status?: AuthUserStatus;
}

/**
 * The auth user's git config and the Secrets of its SSH keys.
 */
export interface AuthUserSpec {
  /**
   * The user's git identity: user.name and user.email in its pods, passed as values (never through a shell), so any text reaches git literally. Orchest kept at most one per user.
   */
  gitConfig?: GitConfig;
  /**
   * The user's SSH private keys, each in a Secret of type kubernetes.io/ssh-auth (key ssh-privatekey) in this namespace. Mounted read-only, mode 0400, into the Jupyter server and git imports; never into environment shells.
   *
   * @maxItems 64
   */
  sshKeys?: SSHKeyRef[];
}

/**
 * The user's git identity: user.name and user.email in its pods, passed as values (never through a shell), so any text reaches git literally. Orchest kept at most one per user.
 */
export interface GitConfig {
  /**
   * Identifies this git config in the api's /auth-users/{uuid}/git-configs/{uuid} endpoints.
   */
  uuid: string;
  /**
   * git's user.name, as given.
   */
  name: string;
  /**
   * git's user.email, as given.
   */
  email: string;
}

export interface SSHKeyRef {
  /**
   * Identifies this key in the api's /auth-users/{uuid}/ssh-keys/{uuid} endpoints.
   */
  uuid: string;
  /**
   * What the user calls the key (e.g. github); shown, never used in a command.
   */
  name: string;
  /**
   * The Secret of type kubernetes.io/ssh-auth holding the private key under ssh-privatekey.
   */
  secretName: string;
}

/**
 * Nothing yet; kept for the conventions (a status subresource).
 */
export interface AuthUserStatus {
  /**
   * The generation last seen.
   */
  observedGeneration?: number;
}
