import type { EnvironmentShell, Session } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";
import type { GitPodAdditions } from "../git/index.js";
import type { Placement } from "../scheduling/index.js";
import { dnsLabelName } from "./jupyter-server.js";
import { sessionDeployment, sessionEnv, sessionPodMetadata, sessionService, sessionUserdir } from "./session-pod.js";
import { SHELL_HOST_DIR, SHELL_KEYS, shellKeysVolume } from "./shell-keys.js";

export const ENVIRONMENT_SHELL_UID_LABEL = "orchest.io/environment-shell-uid";
const CONTAINER = "environment-shell";
const SSH_PORT = 22;

/** The name of a shell's Deployment and Service: Orchest's `environment-shell-<…>`, of the shell's name. */
export function shellName(shell: EnvironmentShell): string {
  return dnsLabelName("environment-shell", shell.metadata!.name!);
}

/**
 * The shell's start. sshd gives a login session none of its own environment, so the git settings of the
 * injection (GIT_CONFIG_KEY_n/VALUE_n) go into git's system config first: `git config user.name` over ssh then
 * prints the user's name byte for byte. Constants only: values come from the environment, always quoted, and `--`
 * keeps one that starts with a dash a value. Then sshd in the foreground, logging to stderr, with every option on
 * its command line (the image's own config is not read): root by the session's key only, agent forwarding on;
 * StrictModes off because a Secret volume is a folder of symlinks sshd would refuse.
 */
const START = `set -eu
i=0
while [ "$i" -lt "\${GIT_CONFIG_COUNT:-0}" ]; do
  eval "key=\\"\\\${GIT_CONFIG_KEY_$i}\\" value=\\"\\\${GIT_CONFIG_VALUE_$i}\\""
  git config --system -- "$key" "$value"
  i=$((i + 1))
done
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e -f /dev/null \\
  -o HostKey=${SHELL_HOST_DIR}/${SHELL_KEYS.hostKey} \\
  -o AuthorizedKeysFile=${SHELL_HOST_DIR}/${SHELL_KEYS.authorizedKeys} \\
  -o PermitRootLogin=prohibit-password \\
  -o PasswordAuthentication=no \\
  -o KbdInteractiveAuthentication=no \\
  -o AllowAgentForwarding=yes \\
  -o UsePAM=no \\
  -o StrictModes=no`;

function shellMetadata(shell: EnvironmentShell) {
  return sessionPodMetadata("environment-shell", shellName(shell), shell, ENVIRONMENT_SHELL_UID_LABEL);
}

/**
 * A shell's sshd as Orchest ran its environment shells: one replica of the environment's image, as root, on the
 * session's project directory, pipeline file and data as the Jupyter server has them, with the session's
 * variables, the auth user's git identity (no keys: they come through the agent the server forwards) and the host
 * side of the session's shell keys; ready when sshd accepts connections. Owned by the EnvironmentShell.
 */
export function environmentShellDeployment(shell: EnvironmentShell, session: Session, placement: Placement, git: GitPodAdditions, launchDeadlineSeconds: number): KubeObject {
  const metadata = shellMetadata(shell);
  const userdir = sessionUserdir(session);
  const keys = shellKeysVolume(session, "host");
  const container = {
    name: CONTAINER,
    image: shell.spec.image,
    command: ["/bin/sh", "-c", START, "start-environment-shell"],
    env: [
      ...sessionEnv(session),
      ...(shell.spec.environment ? [{ name: "ORCHEST_ENVIRONMENT_UUID", value: shell.spec.environment }] : []),
    ],
    ports: [{ containerPort: SSH_PORT, name: "ssh" }],
    // Ready once sshd accepts a connection. A startup probe, not a readiness probe: sshd logs every probe's
    // connection, and after the start sshd is the container's process, so its end restarts the container anyway.
    startupProbe: { tcpSocket: { port: SSH_PORT }, periodSeconds: 1, failureThreshold: 120 },
    volumeMounts: [
      ...userdir.mounts,
      keys.mount,
    ],
  };
  return sessionDeployment({ metadata, selectorLabel: ENVIRONMENT_SHELL_UID_LABEL, container, volumes: [userdir.volume, keys.volume], git, placement, launchDeadlineSeconds, owner: shell as unknown as KubeObject });
}

/** The Service of a shell, as Orchest's: port 22. Owned by the EnvironmentShell. */
export function environmentShellService(shell: EnvironmentShell): KubeObject {
  return sessionService(shellMetadata(shell), ENVIRONMENT_SHELL_UID_LABEL, { name: "ssh", port: SSH_PORT, targetPort: SSH_PORT }, shell as unknown as KubeObject);
}
