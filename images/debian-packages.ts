// What Debian packages installed on this machine are made of: the closure of their dependencies, and their files,
// read from dpkg's database (dpkg-query), so that an image can carry a package as dpkg installed it.
import { spawnSync } from "node:child_process";
import { lstatSync } from "node:fs";
import { dirname } from "node:path";

interface InstalledPackage {
  readonly name: string;
  /** Depends and Pre-Depends: each entry a list of alternatives (`a | b`), names only. */
  readonly depends: readonly (readonly string[])[];
  readonly provides: readonly string[];
}

function dpkgQuery(args: readonly string[]): string {
  const query = spawnSync("dpkg-query", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (query.status !== 0) throw new Error(`dpkg-query ${args.join(" ")} failed: ${query.stderr.trim()}`);
  return query.stdout;
}

/** "python3:any (>= 3.11~)" → "python3": versions and architecture qualifiers do not choose among installed packages. */
function packageName(relation: string): string {
  return relation.trim().replace(/\s*\(.*\)$/, "").replace(/:\S+$/, "");
}

function relations(field: string): string[][] {
  return field
    .split(",")
    .map((entry) => entry.split("|").map(packageName).filter(Boolean))
    .filter((alternatives) => alternatives.length > 0);
}

/** The installed packages of this machine's architecture (and "all"), by name. */
function installedPackages(): Map<string, InstalledPackage> {
  const native = spawnSync("dpkg", ["--print-architecture"], { encoding: "utf8" }).stdout.trim();
  const packages = new Map<string, InstalledPackage>();
  const format = "${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Provides}\\t${Pre-Depends}, ${Depends}\\n";
  for (const line of dpkgQuery(["-W", `-f=${format}`]).split("\n")) {
    const [name, arch, status, provides, depends] = line.split("\t");
    if (!name || status?.trim() !== "ii" || (arch !== native && arch !== "all")) continue;
    packages.set(name, { name, depends: relations(depends ?? ""), provides: relations(provides ?? "").flat() });
  }
  return packages;
}

/**
 * `packages` and everything they depend on (Depends and Pre-Depends, recursively) among the installed packages:
 * of alternatives `a | b` the first one installed, a virtual package through an installed package that provides
 * it. Sorted by name. `exclude` cuts packages out, with what only they depend on.
 */
export function installedClosure(packages: readonly string[], exclude: readonly string[] = []): string[] {
  const installed = installedPackages();
  const providers = new Map<string, string[]>();
  for (const pkg of installed.values()) for (const virtual of pkg.provides) providers.set(virtual, [...(providers.get(virtual) ?? []), pkg.name].sort());
  const resolve = (name: string) => (installed.has(name) ? name : providers.get(name)?.[0]);
  const closure = new Set<string>();
  const visit = (name: string, neededBy: string) => {
    if (closure.has(name) || exclude.includes(name)) return;
    const pkg = installed.get(name);
    if (!pkg) throw new Error(`Debian package ${name} (needed by ${neededBy}) is not installed. Fix: apt-get install ${name}`);
    closure.add(name);
    for (const alternatives of pkg.depends) {
      const chosen = alternatives.map(resolve).find((found) => found !== undefined);
      if (!chosen) throw new Error(`${name} depends on ${alternatives.join(" | ")}, and none is installed. Fix: apt-get install ${alternatives[0]}`);
      visit(chosen, name);
    }
  };
  for (const name of packages) visit(name, "the image");
  return [...closure].sort();
}

/**
 * What an image has no use for: documentation, manual pages, translations, lintian overrides. Each package's
 * copyright file stays: it carries the licence the image is distributed under.
 */
const UNSHIPPED = /^\/usr\/share\/(doc\/(?![^/]+\/copyright$)|man\/|locale\/|lintian\/)/;

/**
 * The files a package installed (`dpkg-query -L`): regular files and symlinks, sorted, without folders, without
 * what UNSHIPPED names, and without files the package lists but this machine has not (removed by an admin, or
 * never unpacked under a dpkg path-exclude).
 */
export function packageFiles(pkg: string): string[] {
  // Besides paths, the list has lines about diversions ("diverted by ... to: /path").
  const listed = dpkgQuery(["-L", pkg])
    .split("\n")
    .filter((path) => path.startsWith("/"));
  // A path with others below it is one of the package's folders, even where this machine has a symlink (on a
  // merged /usr, /lib is one).
  const folders = new Set(listed.map((path) => dirname(path)));
  const files: string[] = [];
  for (const path of listed.sort()) {
    if (UNSHIPPED.test(path) || folders.has(path)) continue;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isFile() || stat.isSymbolicLink()) files.push(path);
  }
  return files;
}
