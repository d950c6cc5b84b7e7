import { generateKeyPairSync } from "node:crypto";
import type { Session } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { serverName } from "./jupyter-server.js";

/** Where the Jupyter server has its side of the shells' keys: `ssh -F ${SHELL_SSH_CONFIG} HOST` reaches a shell. */
export const SHELL_CLIENT_DIR = "/etc/orchest/shell";
export const SHELL_SSH_CONFIG = `${SHELL_CLIENT_DIR}/ssh_config`;
/** Where a shell's sshd has its side: its host key and the server's public key as authorized key. */
export const SHELL_HOST_DIR = "/etc/orchest/shell-host";

/** The Secret's keys: the server's get the client side, the shells' the host side. */
export const SHELL_KEYS = {
  clientKey: "client_key",
  knownHosts: "known_hosts",
  sshConfig: "ssh_config",
  hostKey: "host_key",
  authorizedKeys: "authorized_keys",
} as const;

/**
 * The server's ssh client config: only the session's own key, only the shells' host key, the user's agent
 * forwarded (the shell reaches the user's keys through it and holds none), as root (sshd runs as root there).
 */
const SSH_CONFIG = `Host *
  User root
  IdentityFile ${SHELL_CLIENT_DIR}/${SHELL_KEYS.clientKey}
  IdentitiesOnly yes
  UserKnownHostsFile ${SHELL_CLIENT_DIR}/${SHELL_KEYS.knownHosts}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  ForwardAgent yes
`;

/** The name of a session's shell keys Secret. */
export function shellKeysSecretName(session: Session): string {
  return `${serverName(session)}-shell-keys`;
}

/** An ECDSA P-256 key pair: the private key as PEM (PKCS#8, which OpenSSH reads through libcrypto), the public key as OpenSSH's one-line form. */
export interface ShellKeyPair {
  readonly privateKey: string;
  /** "ecdsa-sha2-nistp256 AAAA…" */
  readonly publicKey: string;
}

/** A fresh key pair from Node's crypto: the OpenSSH public key is the RFC 5656 blob of the JWK's point. */
export function shellKeyPair(): ShellKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  const string = (data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, data]);
  };
  const blob = Buffer.concat([string(Buffer.from("ecdsa-sha2-nistp256")), string(Buffer.from("nistp256")), string(point)]);
  return { privateKey: privateKey.export({ format: "pem", type: "pkcs8" }) as string, publicKey: `ecdsa-sha2-nistp256 ${blob.toString("base64")}` };
}

/**
 * A session's shell keys, owned by the Session: the key the server's ssh signs in with and the shells accept,
 * the host key the shells' sshd proves itself with and the server's ssh accepts for any host, and the server's
 * ssh config. Made fresh per session, so a shell accepts its own session's server only.
 */
export function shellKeysSecret(session: Session): KubeObject {
  const client = shellKeyPair();
  const host = shellKeyPair();
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: shellKeysSecretName(session), namespace: session.metadata!.namespace!, labels: { "app.kubernetes.io/managed-by": "orchest-api" } },
    type: "Opaque",
    stringData: {
      [SHELL_KEYS.clientKey]: client.privateKey,
      [SHELL_KEYS.knownHosts]: `* ${host.publicKey}\n`,
      [SHELL_KEYS.sshConfig]: SSH_CONFIG,
      [SHELL_KEYS.hostKey]: host.privateKey,
      [SHELL_KEYS.authorizedKeys]: `${client.publicKey}\n`,
    },
  };
  return withControllerReference(secret, session as unknown as KubeObject);
}

/** Each side's keys of the Secret and where it mounts them: the server the client side, a shell's sshd the host side. */
const SIDES = {
  client: { dir: SHELL_CLIENT_DIR, keys: [SHELL_KEYS.clientKey, SHELL_KEYS.knownHosts, SHELL_KEYS.sshConfig] },
  host: { dir: SHELL_HOST_DIR, keys: [SHELL_KEYS.hostKey, SHELL_KEYS.authorizedKeys] },
} as const;

/** A pod's volume of one side of the session's shell keys, read-only for root. */
export function shellKeysVolume(session: Session, side: keyof typeof SIDES): { volume: Record<string, unknown>; mount: Record<string, unknown> } {
  const { dir, keys } = SIDES[side];
  const name = `shell-${side}`;
  return {
    volume: { name, secret: { secretName: shellKeysSecretName(session), items: keys.map((key) => ({ key, path: key })), defaultMode: 0o400 } },
    mount: { name, mountPath: dir, readOnly: true },
  };
}
