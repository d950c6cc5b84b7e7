// The project's container images, each staged from what this machine has (no base image can be pulled here).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { installedClosure, packageFiles } from "./debian-packages.js";
import type { ImageConfig } from "./oci-layout.js";
import { NONROOT, Rootfs } from "./rootfs.js";

/** What the images are made of: paths on this machine, resolved once by build.ts. */
export interface ImageInputs {
  /** The repository root: lib/, crds/, agent/runtime/proto/, package.json. */
  readonly repo: string;
  /** node_modules of `npm ci --omit=dev`. */
  readonly productionModules: string;
  /** Built binaries by name: buildctl, buildkitd, pause. */
  readonly binaries: Readonly<Record<string, string>>;
}

export interface ImageDefinition {
  /** Repository name under the push prefix, e.g. "orchest-gitops" → PREFIX/orchest-gitops:VERSION. */
  readonly name: string;
  readonly description: string;
  readonly config: ImageConfig;
  /** Debian packages whose files the image copies: build.ts installs the missing ones first. */
  readonly debian?: readonly string[];
  stage(root: Rootfs, inputs: ImageInputs): void;
}

/** The three programs of the project image, each a command on PATH (a symlink to its script). */
export const ENTRYPOINTS = {
  "orchest-operator": "lib/operator/main.js",
  "orchest-api": "lib/api/main.js",
  "orchest-agent": "lib/agent/main.js",
  orchest: "lib/cli/main.js",
} as const;

/** Where the project lives in its image. */
export const APP_DIR = "/app";
const PATH = "PATH=/usr/local/bin:/usr/bin:/bin";

/** Compiled folders that are not the product: the test bed, benchmarks, image building, test support. */
function shipped(hostPath: string): boolean {
  const name = hostPath.split("/").pop()!;
  if (/\.test\.js$|^test-support\.js$|^testing(\.js)?$|\.d\.ts$|\.map$/.test(name)) return false;
  return !/\/lib\/(testbed|bench|images|projenrc)(\/|$)/.test(hostPath) && !/\/lib\/cli\/(start|platform)\.js$/.test(hostPath);
}

const project: ImageDefinition = {
  name: "orchest-gitops",
  description: "the operator, the api and the node-agent (one image, three entrypoints), and the orchest CLI",
  config: { user: `${NONROOT.uid}:${NONROOT.uid}`, env: [PATH, "NODE_ENV=production", "HOME=/tmp"], workingDir: APP_DIR, cmd: ["orchest-operator"] },
  stage(root, { repo, productionModules }) {
    root.users().caCertificates();
    // Node sits where the official node images have it, so the Dockerfile can copy it from one.
    root.binary("/usr/bin/node", "/usr/local/bin/node").binary("/usr/bin/env");
    root.write(`${APP_DIR}/package.json`, readPackageJson(repo));
    root.tree(join(repo, "lib"), `${APP_DIR}/lib`, shipped);
    root.tree(productionModules, `${APP_DIR}/node_modules`);
    const crds = join(repo, "crds");
    root.tree(crds, `${APP_DIR}/crds`, (path) => path === crds || (dirname(path) === crds && path.endsWith(".yaml")));
    root.tree(join(repo, "agent/runtime/proto"), `${APP_DIR}/agent/runtime/proto`);
    for (const [command, script] of Object.entries(ENTRYPOINTS)) root.executable(`${APP_DIR}/${script}`).symlink(`/usr/local/bin/${command}`, `${APP_DIR}/${script}`);
  },
};

/** package.json without what only development needs, so that a devDependency bump changes no digest. */
function readPackageJson(repo: string): string {
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  const { name, version, type, dependencies, license } = pkg;
  return `${JSON.stringify({ name, version, type, license, dependencies }, null, 2)}\n`;
}

const buildctl: ImageDefinition = {
  name: "builder-buildctl",
  description: "the image builder for containerd nodes: buildctl against the node's buildkitd, and a shell to hand its metadata to Kubernetes",
  config: { env: [PATH], entrypoint: ["buildctl"] },
  debian: ["busybox-static", "ca-certificates"],
  stage(root, { binaries }) {
    root.users().caCertificates().copy(binaries.buildctl!, "/usr/bin/buildctl");
    root.copy("/bin/busybox", "/bin/busybox").symlink("/bin/sh", "busybox").symlink("/bin/cat", "busybox");
  },
};

const dockerCli: ImageDefinition = {
  name: "builder-docker",
  description: "the image builder for docker nodes: the docker CLI against the node's dockerd, and a shell to push after the build",
  config: { env: [PATH], entrypoint: ["docker"] },
  debian: ["docker.io", "busybox-static", "ca-certificates"],
  stage(root) {
    root.users().caCertificates().binary("/usr/bin/docker");
    root.copy("/bin/busybox", "/bin/busybox").symlink("/bin/sh", "busybox");
  },
};

const buildkitd: ImageDefinition = {
  name: "buildkitd",
  description: "buildkitd for the buildkit-daemon DaemonSet: the containerd worker on the node's containerd",
  config: { env: [PATH], entrypoint: ["buildkitd"] },
  stage(root, { binaries }) {
    root.users().caCertificates().copy(binaries.buildkitd!, "/usr/bin/buildkitd").copy(binaries.buildctl!, "/usr/bin/buildctl");
    root.write("etc/buildkit/buildkitd.toml", BUILDKITD_TOML);
  },
};

/**
 * buildkitd builds into the node's containerd (namespace k8s.io, where the kubelet finds images), so a built
 * image runs without a push; the OCI worker would need runc inside the image and keeps images to itself.
 */
const BUILDKITD_TOML = `[worker.oci]
  enabled = false

[worker.containerd]
  enabled = true
  address = "/run/containerd/containerd.sock"
  namespace = "k8s.io"
  snapshotter = "overlayfs"
  gc = true
`;

const registry: ImageDefinition = {
  name: "registry",
  description: "the in-cluster OCI registry (distribution, Debian's docker-registry)",
  // Root, as registry:2: its storage is a claim whose volume belongs to root on many provisioners (hostPath ones).
  config: { env: [PATH], entrypoint: ["docker-registry", "serve", "/etc/docker/registry/config.yml"] },
  debian: ["docker-registry", "ca-certificates"],
  stage(root) {
    root.users().caCertificates().binary("/usr/bin/docker-registry");
    root.write("etc/docker/registry/config.yml", REGISTRY_CONFIG).mkdir("var/lib/registry", 0o777);
  },
};

const REGISTRY_CONFIG = `version: 0.1
log: { level: info, accesslog: { disabled: true } }
storage: { filesystem: { rootdirectory: /var/lib/registry }, delete: { enabled: true } }
http: { addr: ":5000", headers: { X-Content-Type-Options: [nosniff] } }
health: { storagedriver: { enabled: true, interval: 10s, threshold: 3 } }
`;

const pause: ImageDefinition = {
  name: "pause",
  description: "the pod sandbox image of the test bed's kubelets (images/pause/pause.go)",
  config: { user: "65535:65535", entrypoint: ["/pause"] },
  stage(root, { binaries }) {
    root.copy(binaries.pause!, "/pause");
  },
};

const busybox: ImageDefinition = {
  name: "busybox",
  description: "a shell and the usual tools (Debian's busybox-static), the base image of the tests' Dockerfiles",
  config: { env: [PATH], cmd: ["sh"] },
  debian: ["busybox-static"],
  stage(root) {
    root.users().copy("/bin/busybox", "/bin/busybox");
    for (const applet of busyboxApplets()) if (applet !== "busybox") root.symlink(`/bin/${applet}`, "busybox");
  },
};

function busyboxApplets(): string[] {
  const list = spawnSync("/bin/busybox", ["--list"], { encoding: "utf8" });
  if (list.status !== 0) throw new Error(`/bin/busybox --list failed: ${list.stderr}`);
  return list.stdout.split("\n").filter(Boolean).sort();
}

/**
 * git as a client needs: git and its commands where it runs them from (its exec path /usr/lib/git-core, and
 * PATH for the transport's git-upload-pack on the other end), the https remote helper, the templates `git init`
 * copies, ssh, and /bin/sh (git runs core.sshCommand through it).
 */
function stageGitClient(root: Rootfs): Rootfs {
  root.caCertificates().binary("/usr/bin/git").binary("/usr/bin/ssh").binary("/usr/lib/git-core/git-remote-http");
  root.symlink("/usr/lib/git-core/git", "/usr/bin/git");
  for (const command of ["git-upload-pack", "git-receive-pack", "git-upload-archive"]) root.symlink(`/usr/bin/${command}`, "git").symlink(`/usr/lib/git-core/${command}`, "git");
  for (const scheme of ["https", "ftp", "ftps"]) root.symlink(`/usr/lib/git-core/git-remote-${scheme}`, "git-remote-http");
  root.tree("/usr/share/git-core/templates", "/usr/share/git-core/templates");
  return root.copy("/bin/busybox", "/bin/busybox").symlink("/bin/sh", "busybox");
}

const GIT_PACKAGES = ["git", "openssh-client", "busybox-static", "ca-certificates"] as const;

const git: ImageDefinition = {
  name: "git",
  description: "git with ssh and the https helper: the image of GitImport clones (no server: that is git-server's)",
  config: { user: `${NONROOT.uid}:${NONROOT.uid}`, env: [PATH, "HOME=/tmp"], cmd: ["git", "--version"] },
  debian: GIT_PACKAGES,
  stage(root) {
    stageGitClient(root.users());
  },
};

/** The git server's account: git-shell as its login shell lets it run git's transport commands and nothing else. */
const GIT_USER = { name: "git", uid: 1000, home: "/srv/git", shell: "/usr/bin/git-shell" } as const;

/**
 * A git server over SSH, for tests only (a separate image so that the clone image carries no server): sshd with
 * user git (login shell git-shell). Mount the host key at /etc/ssh/host/ssh_host_ed25519_key, the authorized
 * keys at /etc/ssh/host/authorized_keys and git bundles as /srv/bundles/NAME.bundle; the entrypoint installs the
 * keys with the modes sshd checks, serves each bundle as ssh://git@HOST/srv/git/NAME.git, and runs sshd in the
 * foreground, logging to stderr.
 */
const gitServer: ImageDefinition = {
  name: "git-server",
  description: "sshd and git-shell serving git bundles as repositories over SSH, for the tests of git imports",
  config: { env: [PATH, "HOME=/tmp"], entrypoint: ["/usr/local/bin/git-server"] },
  debian: [...GIT_PACKAGES, "openssh-server"],
  stage(root) {
    // sshd's privilege separation needs its user and an empty folder owned by root.
    stageGitClient(root.users([GIT_USER, { name: "sshd", uid: 100, home: "/run/sshd" }]));
    root.binary("/usr/sbin/sshd").binary("/usr/bin/git-shell").mkdir("run/sshd").mkdir("srv/git");
    for (const applet of ["mkdir", "cp", "chmod", "chown", "basename"]) root.symlink(`/bin/${applet}`, "busybox");
    root.write("etc/ssh/sshd_config", SSHD_CONFIG).write("usr/local/bin/git-server", GIT_SERVER_ENTRYPOINT, 0o755);
  },
};

const SSHD_CONFIG = `Port 22
HostKey /etc/ssh/host/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/authorized_keys/%u
AllowUsers ${GIT_USER.name}
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
LogLevel VERBOSE
`;

// sshd refuses authorized keys in a folder others may write (a Secret volume is such a folder): copied out first.
const GIT_SERVER_ENTRYPOINT = `#!/bin/sh
set -eu
mkdir -p /etc/ssh/authorized_keys
cp /etc/ssh/host/authorized_keys /etc/ssh/authorized_keys/${GIT_USER.name}
chmod 644 /etc/ssh/authorized_keys/${GIT_USER.name}
for bundle in /srv/bundles/*.bundle; do
  [ -e "$bundle" ] || continue
  git clone --quiet --bare "$bundle" "${GIT_USER.home}/$(basename "$bundle" .bundle).git"
done
chown -R ${GIT_USER.uid}:${GIT_USER.uid} ${GIT_USER.home}
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
`;

/** Debian's Jupyter server and Python kernel, with the `jupyter-server` command (its own package). */
const JUPYTER_PACKAGES = ["python3-jupyter-server", "python3-ipykernel", "jupyter-server"] as const;

/**
 * In that closure, never run by the server or a kernel: gdb (python3-pydevd's, for attaching the debugger to a
 * running process; 10 MiB and a dozen libraries), and dpkg and debconf (the maintainer scripts' tools).
 */
const JUPYTER_UNNEEDED = ["gdb", "dpkg", "debconf"] as const;

/**
 * An interactive session's Jupyter server, as Orchest ran it: root, started by a shell script that runs an
 * ssh-agent (for the project's git remote) and execs `jupyter-server`. Python and its packages are Debian's files
 * at Debian's paths; no .pyc is staged (dpkg lists none: its postinst compiles them), so the layer never holds
 * this machine's compiled files.
 */
const jupyterServer: ImageDefinition = {
  name: "jupyter-server",
  description: "Debian's Jupyter server with the Python kernel (ipykernel), git, ssh and ssh-agent: the server of interactive sessions",
  // debugpy (ipykernel's debugger) warns at every kernel start that Python's stdlib modules are frozen, which
  // only matters for breakpoints in them.
  config: { env: [PATH, "HOME=/tmp", "PYDEVD_DISABLE_FILE_VALIDATION=1"], cmd: ["jupyter-server", "--version"] },
  debian: [...JUPYTER_PACKAGES, ...GIT_PACKAGES],
  stage(root) {
    root.mergedUsr().users().files(installedClosure(JUPYTER_PACKAGES, JUPYTER_UNNEEDED).flatMap(packageFiles));
    stageGitClient(root).binary("/usr/bin/ssh-agent").binary("/usr/bin/ssh-add");
    for (const applet of ["cat", "mkdir", "chmod", "env", "id", "ls", "sleep", "kill"]) root.symlink(`/bin/${applet}`, "busybox");
  },
};

/**
 * An environment image as environment shells need one, for tests only: sshd (its privilege-separation user and
 * nothing else of a server: the shell's start script passes every option), ssh-add, git, and root with /bin/sh as
 * its login shell (sshd runs each command through it) and a home to start in.
 */
const shellEnvironment: ImageDefinition = {
  name: "shell-environment",
  description: "an environment image with sshd, git and ssh-add, for the tests of environment shells",
  config: { env: [PATH, "HOME=/root"], cmd: ["sh"] },
  debian: [...GIT_PACKAGES, "openssh-server"],
  stage(root) {
    stageGitClient(root.users([{ name: "root", uid: 0, home: "/root", shell: "/bin/sh" }, { name: "sshd", uid: 100, home: "/run/sshd" }]));
    root.binary("/usr/sbin/sshd").binary("/usr/bin/ssh-add").mkdir("root", 0o700);
    for (const applet of ["mkdir", "cat", "ls", "grep"]) root.symlink(`/bin/${applet}`, "busybox");
  },
};

/** Every image, in the order `npm run images` builds them. */
export const IMAGES: readonly ImageDefinition[] = [project, buildctl, dockerCli, buildkitd, registry, pause, busybox, git, gitServer, jupyterServer, shellEnvironment];
