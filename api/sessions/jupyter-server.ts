import { createHash } from "node:crypto";
import type { Session } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { projectImages } from "../../synth/project-images.js";
import { SSH_KEYS_DIR, type GitPodAdditions } from "../git/index.js";
import { PROJECT_DIR } from "../pipelines/index.js";
import type { Placement } from "../scheduling/index.js";
import { sessionDeployment, sessionEnv, sessionPodMetadata, sessionService, sessionUserdir } from "./session-pod.js";
import { shellKeysVolume } from "./shell-keys.js";

export const SESSION_UID_LABEL = "orchest.io/session-uid";
/** The image of sessions that name none, of this project's release (the api's --jupyter-image says otherwise). */
export const DEFAULT_JUPYTER_IMAGE = projectImages().jupyterServer;
/** Orchest's: the server listens on 8888, its Service on 80. */
const SERVER_PORT = 8888;
const SERVICE_PORT = 80;
const CONTAINER = "jupyter-server";
/** Where the server's ssh-agent listens: its kernels and terminals inherit SSH_AUTH_SOCK. */
export const SSH_AUTH_SOCK = "/run/orchest/ssh-agent.sock";
/** A Service name is a DNS label: 63 characters at most. */
const MAX_NAME = 63;

/**
 * The name of a session's Deployment and Service, and its base path: Orchest's `jupyter-server-<session>`, the
 * Session's name made a DNS label (dots become dashes; a long one cut and told apart by a hash of the whole).
 */
export function serverName(session: Session): string {
  return dnsLabelName("jupyter-server", session.metadata!.name!);
}

/** `<prefix>-<name>` made a DNS label: dots become dashes; a long one is cut and told apart by a hash of the whole. */
export function dnsLabelName(prefix: string, objectName: string): string {
  const name = `${prefix}-${objectName.replaceAll(".", "-")}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 10);
  return `${name.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** The server's base URL inside the cluster, through its Service. */
export function serverUrl(session: Session): string {
  const name = serverName(session);
  return `http://${name}.${session.metadata!.namespace!}.svc:${SERVICE_PORT}/${name}/`;
}

/**
 * The server's start: with keys mounted, an ssh-agent at SSH_AUTH_SOCK holding each of them (kernels, terminals
 * and git reach the keys through it), then the server in place of the shell. Constants only: no value of a user's
 * reaches this text. ssh-agent forks into the background and stays for the pod's life.
 */
const START = `set -eu
if [ -d ${SSH_KEYS_DIR} ]; then
  mkdir -p "$(dirname "$SSH_AUTH_SOCK")"
  ssh-agent -a "$SSH_AUTH_SOCK" > /dev/null
  for key in ${SSH_KEYS_DIR}/key-*; do ssh-add -q "$key" < /dev/null; done
fi
exec "$@"`;

/** The labels and name of a session's Deployment, Service, Ingress and pods. */
function serverMetadata(session: Session) {
  return sessionPodMetadata("jupyter-server", serverName(session), session, SESSION_UID_LABEL);
}

/**
 * A session's Jupyter server as Orchest deployed it: one replica on the project directory (its notebook dir, at
 * /project-dir), the pipeline file at /pipeline.json and the data folder at /data, base URL its own name,
 * Orchest's startup probe (every second, two minutes), as root (the user directory is root's, as for steps);
 * the session's variables in its env, which its kernels inherit; the client side of the session's shell keys, so
 * that its terminals and kernels reach the session's environment shells. Owned by the Session: deleting it collects it.
 */
export function jupyterServerDeployment(session: Session, image: string, placement: Placement, git: GitPodAdditions, launchDeadlineSeconds: number): KubeObject {
  const metadata = serverMetadata(session);
  const userdir = sessionUserdir(session);
  const withKeys = git.volumes.some((volume) => volume.name === "git-ssh-keys");
  const shells = shellKeysVolume(session, "client");
  const container = {
    name: CONTAINER,
    image,
    command: ["/bin/sh", "-c", START, "start-jupyter-server"],
    args: [
      "jupyter-server",
      "--allow-root",
      "--no-browser",
      "--ip=0.0.0.0",
      `--port=${SERVER_PORT}`,
      `--notebook-dir=${PROJECT_DIR}`,
      `--ServerApp.base_url=/${metadata.name}`,
      // Behind the cluster's own access control, as Orchest's server was behind its auth server.
      "--ServerApp.token=",
      "--ServerApp.password=",
      "--ServerApp.disable_check_xsrf=True",
    ],
    env: [
      ...sessionEnv(session),
      // The pipeline file relative to the project, as Orchest's server had it (its shell spawner passed it on).
      { name: "ORCHEST_SESSION_PIPELINE_PATH", value: session.spec.pipeline.path },
      ...(withKeys ? [{ name: "SSH_AUTH_SOCK", value: SSH_AUTH_SOCK }] : []),
    ],
    ports: [{ containerPort: SERVER_PORT, name: "http" }],
    startupProbe: { httpGet: { path: `/${metadata.name}/api`, port: SERVER_PORT }, periodSeconds: 1, failureThreshold: 120 },
    volumeMounts: [
      ...userdir.mounts,
      shells.mount,
    ],
  };
  return sessionDeployment({ metadata, selectorLabel: SESSION_UID_LABEL, container, volumes: [userdir.volume, shells.volume], git, placement, launchDeadlineSeconds, owner: session as unknown as KubeObject });
}

/** The Service of a session's server, Orchest's: port 80 to the server's 8888. Owned by the Session. */
export function jupyterServerService(session: Session): KubeObject {
  return sessionService(serverMetadata(session), SESSION_UID_LABEL, { name: "http", port: SERVICE_PORT, targetPort: SERVER_PORT }, session as unknown as KubeObject);
}

/** How sessions are reached from outside: Orchest's Ingress per Jupyter server. */
export interface SessionIngress {
  /** The cluster's ingress-nginx class (the api's INGRESS_CLASS). */
  readonly className: string;
  /** Orchest's host (the api's ORCHEST_FQDN); any host when unset. */
  readonly host?: string;
}

/**
 * The Ingress of a session's server, Orchest's: its base path (Prefix) to its Service, for Orchest's host, with the
 * cluster's class; behind auth-server as Orchest's user services were (the server takes no token of its own).
 */
export function jupyterServerIngress(session: Session, ingress: SessionIngress): KubeObject {
  const metadata = serverMetadata(session);
  const path = { path: `/${metadata.name}`, pathType: "Prefix", backend: { service: { name: metadata.name, port: { number: SERVICE_PORT } } } };
  const object: KubeObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      ...metadata,
      annotations: {
        "nginx.ingress.kubernetes.io/auth-url": `http://auth-server.${metadata.namespace}.svc.cluster.local/auth`,
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
      },
    },
    spec: { ingressClassName: ingress.className, rules: [{ ...(ingress.host ? { host: ingress.host } : {}), http: { paths: [path] } }] },
  };
  return withControllerReference(object, session as unknown as KubeObject);
}
