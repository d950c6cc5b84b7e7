// A root filesystem staged on disk from what this machine has: no base image can be pulled here, so an image
// is its binaries, the shared libraries `ldd` names for them, and a few files written out.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** The non-root user the project's images run as (distroless' "nonroot" uid). */
export const NONROOT = { uid: 65532, name: "nonroot" } as const;

/** An account of /etc/passwd (and its group, of the same id). */
export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
  /** @default "/sbin/nologin" */
  readonly shell?: string;
}

/** Modes are normalized so that the host's umask and file modes never reach a digest. */
const FILE = 0o644;
const EXECUTABLE = 0o755;

export class Rootfs {
  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: EXECUTABLE });
  }

  private target(path: string): string {
    const target = join(this.dir, path);
    this.mkdir(dirname(path));
    if (this.has(path) && lstatSync(target).isSymbolicLink()) throw new Error(`${path} is a symlink in ${this.dir}: a write would go where it points`);
    return target;
  }

  /** Whether the image has `path`, a dangling symlink included. */
  has(path: string): boolean {
    try {
      lstatSync(join(this.dir, path));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Creates a folder (and its parents) with mode 0755, or `mode`. A symlink on the way is followed only within the
   * image (merged /usr's /bin → usr/bin): an absolute one would point into this machine, which a build as root
   * would then change.
   */
  mkdir(path: string, mode = EXECUTABLE): this {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dir = join(this.dir, ...parts.slice(0, i));
      if (!this.has(relative(this.dir, dir))) mkdirSync(dir);
      else if (lstatSync(dir).isSymbolicLink()) {
        if (!realpathSync(dir).startsWith(`${realpathSync(this.dir)}/`)) throw new Error(`/${relative(this.dir, dir)} in ${this.dir} is a symlink out of the image`);
        continue;
      }
      chmodSync(dir, i === parts.length ? mode : EXECUTABLE);
    }
    return this;
  }

  /**
   * Debian's merged /usr (every bookworm system has it): /bin, /sbin, /lib and /lib64 are symlinks into /usr, so
   * that a file packages and `ldd` name by either path is one file. First, before anything is staged there.
   */
  mergedUsr(): this {
    for (const dir of ["bin", "sbin", "lib", "lib64"]) this.mkdir(`usr/${dir}`).symlink(`/${dir}`, `usr/${dir}`);
    return this;
  }

  /** Copies host files, each to its own path, symlinks as they are; a path the image has already is left alone. */
  files(paths: readonly string[]): this {
    for (const path of paths) {
      if (this.has(path)) continue;
      if (lstatSync(path).isSymbolicLink()) this.symlink(path, readlinkSync(path));
      else this.copy(path);
    }
    return this;
  }

  write(path: string, content: string | Buffer, mode = FILE): this {
    const target = this.target(path);
    writeFileSync(target, content);
    chmodSync(target, mode);
    return this;
  }

  /** Copies a host file (following symlinks) to `path`, executable if the source is. */
  copy(source: string, path = source): this {
    const target = this.target(path);
    copyFileSync(source, target);
    chmodSync(target, lstatSync(target).mode & 0o111 ? EXECUTABLE : FILE);
    return this;
  }

  /** Copies a host binary and every shared library it loads, each at its host path. */
  binary(source: string, path = source): this {
    this.copy(source, path);
    for (const library of sharedLibraries(source)) if (!this.has(library)) this.copy(library);
    return this;
  }

  /** Marks a staged file executable (a script with a shebang line). */
  executable(path: string): this {
    chmodSync(join(this.dir, path), EXECUTABLE);
    return this;
  }

  symlink(path: string, target: string): this {
    symlinkSync(target, this.target(path));
    return this;
  }

  /** Copies a host folder to `path`, keeping its symlinks, with normalized modes; `filter` sees host paths. */
  tree(source: string, path: string, filter: (hostPath: string) => boolean = () => true): this {
    const target = this.target(path);
    cpSync(source, target, { recursive: true, verbatimSymlinks: true, filter });
    normalizeModes(target);
    return this;
  }

  /**
   * /etc/passwd and /etc/group with root, the non-root user and `more` (each with a group of its uid), and a
   * writable /tmp. A user of `more` named root or as the non-root user takes that one's place.
   */
  users(more: readonly SystemUser[] = []): this {
    const defaults: SystemUser[] = [{ name: "root", uid: 0, home: "/root" }, { name: NONROOT.name, uid: NONROOT.uid, home: `/home/${NONROOT.name}` }];
    const users = [...defaults.map((user) => more.find((u) => u.name === user.name) ?? user), ...more.filter((u) => !defaults.some((user) => user.name === u.name))];
    this.write("etc/passwd", users.map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.name}:${u.home}:${u.shell ?? "/sbin/nologin"}\n`).join(""));
    this.write("etc/group", users.map((u) => `${u.name}:x:${u.uid}:\n`).join(""));
    this.mkdir("tmp", 0o1777);
    return this;
  }

  /** The machine's CA bundle, where Debian (and Go's and Node's defaults) look for it. */
  caCertificates(): this {
    return this.copy("/etc/ssl/certs/ca-certificates.crt");
  }
}

function normalizeModes(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, EXECUTABLE);
    for (const entry of readdirSync(path)) normalizeModes(join(path, entry));
  } else {
    chmodSync(path, stat.mode & 0o111 ? EXECUTABLE : FILE);
  }
}

/** The shared libraries (and the dynamic loader) that `ldd` resolves for a binary; none for a static one. */
export function sharedLibraries(binary: string): string[] {
  const ldd = spawnSync("ldd", [binary], { encoding: "utf8" });
  if (ldd.status !== 0) {
    if (/not a dynamic executable/.test(ldd.stdout + ldd.stderr)) return [];
    throw new Error(`ldd ${binary} failed: ${ldd.stderr.trim() || ldd.stdout.trim()}`);
  }
  return [...ldd.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!).filter((path) => existsSync(path));
}

/** Paths of `dir` relative to itself, for tests comparing trees. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      out.push(relative(dir, full));
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}
