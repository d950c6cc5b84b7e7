// Test support for git over SSH on the test bed: key pairs and repositories made on the host with its ssh-keygen
// and git, and a git server pod (the git-server image) that serves them to pods.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { waitForPod } from "../../testbed/pods.js";

export interface SshKeyPair {
  /** OpenSSH private key file text. */
  readonly privateKey: string;
  /** "ssh-ed25519 AAAA..." (type and key, no comment). */
  readonly publicKey: string;
}

/** A fresh ed25519 key pair from ssh-keygen, without a passphrase or comment. */
export function sshKeyPair(): SshKeyPair {
  const dir = mkdtempSync(join(tmpdir(), "ssh-key-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "key")]);
    const publicKey = readFileSync(join(dir, "key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
    return { privateKey: readFileSync(join(dir, "key"), "utf8"), publicKey };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GitRepository {
  /** A git bundle of branch main (and HEAD). */
  readonly bundle: Buffer;
  /** The commit main points at. */
  readonly commit: string;
}

/** A repository with one commit of `files` on main, made with the host's git, as a bundle. */
export function gitRepository(files: Readonly<Record<string, string>>): GitRepository {
  const dir = mkdtempSync(join(tmpdir(), "git-repo-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" } }).trim();
  try {
    git("init", "--quiet", "--initial-branch=main");
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git("add", "--all");
    git("-c", "user.name=Repository Author", "-c", "user.email=author@example.com", "commit", "--quiet", "-m", "the project");
    git("bundle", "create", "--quiet", "repo.bundle", "HEAD", "main");
    return { bundle: readFileSync(join(dir, "repo.bundle")), commit: git("rev-parse", "HEAD") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GitServer {
  /** The pod's IP: the repository NAME is ssh://git@HOST/srv/git/NAME.git. */
  readonly host: string;
  /** The server's line for known_hosts. */
  readonly knownHosts: string;
  readonly podName: string;
}

/**
 * A git server pod in `namespace`: sshd (its host key made here) lets in user git with the
 * authorized keys only, and serves each repository as /srv/git/NAME.git. Resolves once sshd accepts connections.
 */
export async function startGitServer(kc: KubeConfig, namespace: string, options: { image: string; authorizedKeys: readonly string[]; repositories: Readonly<Record<string, GitRepository>> }): Promise<GitServer> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = "git-server";
  const hostKey = sshKeyPair();
  await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { ssh_host_ed25519_key: hostKey.privateKey, authorized_keys: `${options.authorizedKeys.join("\n")}\n` } } });
  const bundles = Object.fromEntries(Object.entries(options.repositories).map(([repo, { bundle }]) => [`${repo}.bundle`, bundle.toString("base64")]));
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `${name}-bundles` }, binaryData: bundles } });
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name },
      spec: {
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "sshd",
            image: options.image,
            ports: [{ containerPort: 22 }],
            readinessProbe: { tcpSocket: { port: 22 }, periodSeconds: 1 },
            volumeMounts: [
              { name: "keys", mountPath: "/etc/ssh/host", readOnly: true },
              { name: "bundles", mountPath: "/srv/bundles", readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: "keys", secret: { secretName: name, defaultMode: 0o400 } },
          { name: "bundles", configMap: { name: `${name}-bundles` } },
        ],
      },
    },
  });
  // The pod's own address: reachable from every node once the pod is ready, with no Service proxy to wait for.
  const host = (await waitForPod(kc, namespace, name, "Running")).status!.podIP!;
  return { host, knownHosts: `${host} ${hostKey.publicKey}`, podName: name };
}
