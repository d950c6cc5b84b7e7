import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { partialPath, publish, withLock } from "./atomic.js";
import { run } from "./command.js";
import { timed, type Log } from "./progress.js";
import { versions, type GoTool } from "./versions.js";

/** Absolute paths of the test bed's binaries, by name (etcd, kube-apiserver, ..., helm). */
export type Binaries = Readonly<Record<string, string>>;

/** Where built binaries live: outside the repo, keyed by tool and version, so later runs reuse them. */
export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "orchest-gitops", "testbed");
}

/**
 * Returns the test bed's binaries, building the missing ones from their Go modules.
 * ORCHEST_TESTBED_BIN may name a folder of prebuilt binaries instead.
 */
export function ensureBinaries(log: Log): Promise<Binaries> {
  // Several clusters started at once in one process (a test file's private ones) share one look and one build.
  ensuring ??= ensureEach(log).catch((error: unknown) => {
    ensuring = undefined;
    throw error;
  });
  return ensuring;
}

let ensuring: Promise<Binaries> | undefined;

async function ensureEach(log: Log): Promise<Binaries> {
  const prebuilt = process.env.ORCHEST_TESTBED_BIN;
  const binaries: Record<string, string> = {};
  for (const [name, tool] of Object.entries(versions.tools)) {
    const dir = prebuilt ?? join(cacheRoot(), "bin", `${name}-${tool.version}`);
    const paths = Object.keys(tool.packages).map((binary) => [binary, join(dir, binary)] as const);
    const missing = () => paths.filter(([, path]) => !existsSync(path)).map(([binary]) => binary);
    if (missing().length > 0) {
      if (prebuilt) throw new Error(`ORCHEST_TESTBED_BIN=${prebuilt} lacks ${missing().join(", ")}. Fix: put them there, or unset it to build them with Go.`);
      // Other processes (test files, other checkouts) may be building the same tool: one builds, the rest wait.
      mkdirSync(dirname(dir), { recursive: true });
      await withLock(`${dir}.lock`, (pid) => log(`waiting for process ${pid}, which is building ${name} ${tool.version} ...`), async () => {
        const left = missing();
        if (left.length > 0) await build(name, tool, left, dir, log);
      });
    }
    for (const [binary, path] of paths) binaries[binary] = path;
  }
  return binaries;
}

function checkGo(): void {
  const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (go.status !== 0) {
    throw new Error(
      `the test bed builds etcd, Kubernetes, kwok and helm from their Go modules, but \`go\` is not on PATH.\n` +
        `Fix: install Go ${versions.go.minimum} or newer, or set ORCHEST_TESTBED_BIN to a folder with prebuilt binaries.`,
    );
  }
  const [major, minor] = go.stdout.trim().replace(/^go/, "").split(".").map(Number);
  const [wantMajor, wantMinor] = versions.go.minimum.split(".").map(Number);
  if (major! < wantMajor! || (major === wantMajor && minor! < wantMinor!)) {
    throw new Error(`Go ${go.stdout.trim()} is too old to build the test bed. Fix: install Go ${versions.go.minimum} or newer.`);
  }
}

/** A throwaway module that requires the tool's module, so `go build` resolves it like any dependency. */
function goMod(name: string, tool: GoTool): string {
  const lines = [`module orchest.io/testbed/${name}`, "", `go ${versions.go.minimum}`, "", `require ${tool.module} ${tool.version}`];
  const replaces = inheritedReplaces(tool);
  if (replaces.length > 0) lines.push("", "replace (", ...replaces.map((r) => `\t${r}`), ")");
  return lines.join("\n") + "\n";
}

interface GoModReplace {
  readonly Old: { readonly Path: string; readonly Version?: string };
  readonly New: { readonly Path: string; readonly Version?: string };
}

/**
 * The replace directives a dependency's own go.mod carries, which `go build` ignores outside it. A replace by a
 * local path (k8s.io/kubernetes points its staging modules at ./staging) becomes the published staging version.
 */
function inheritedReplaces(tool: GoTool): string[] {
  if (!tool.stagingVersion && !tool.inheritReplaces) return [];
  const download = spawnSync("go", ["mod", "download", "-json", `${tool.module}@${tool.version}`], { encoding: "utf8" });
  if (download.status !== 0) throw new Error(`go mod download ${tool.module}@${tool.version} failed:\n${download.stderr || download.stdout}`);
  const edit = spawnSync("go", ["mod", "edit", "-json", JSON.parse(download.stdout).GoMod], { encoding: "utf8" });
  if (edit.status !== 0) throw new Error(`go mod edit -json of ${tool.module}@${tool.version} failed:\n${edit.stderr}`);
  const replaces: GoModReplace[] = JSON.parse(edit.stdout).Replace ?? [];
  return replaces.flatMap(({ Old, New }) => {
    const old = Old.Version ? `${Old.Path} ${Old.Version}` : Old.Path;
    if (New.Path.startsWith("./") || New.Path.startsWith("../")) return tool.stagingVersion ? [`${old} => ${Old.Path} ${tool.stagingVersion}`] : [];
    return tool.inheritReplaces ? [`${old} => ${New.Path} ${New.Version}`] : [];
  });
}

function ldflags(tool: GoTool): string {
  const flags = ["-s", "-w"];
  if (tool.module === "k8s.io/kubernetes") {
    // Without these the binaries report v0.0.0 and clients warn about version skew.
    const [major, minor] = tool.version.replace(/^v/, "").split(".");
    const set = (pkg: string, key: string, value: string) => flags.push(`-X ${pkg}.${key}=${value}`);
    for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
      set(pkg, "gitVersion", tool.version);
      set(pkg, "gitMajor", major!);
      set(pkg, "gitMinor", minor!);
      set(pkg, "gitTreeState", "clean");
    }
  }
  return flags.join(" ");
}

/** Builds the missing binaries of one tool into a staging folder, then moves each into the tool's folder. */
async function build(name: string, tool: GoTool, binaries: readonly string[], dir: string, log: Log): Promise<void> {
  checkGo();
  const work = join(cacheRoot(), "src", `${name}-${tool.version}`);
  mkdirSync(work, { recursive: true });
  const staging = partialPath(dir);
  mkdirSync(staging, { recursive: true });
  let compiled = 0;
  let downloaded = 0;
  await timed(
    log,
    `building ${name} ${tool.version} from its Go module (${binaries.join(", ")})`,
    async () => {
      writeFileSync(join(work, "go.mod"), goMod(name, tool));
      const env = { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
      for (const binary of binaries) {
        const args = ["build", "-v", "-trimpath", `-ldflags=${ldflags(tool)}`, "-o", join(staging, binary), tool.packages[binary]!];
        await run("go", args, { cwd: work, env, log: (line) => (line.startsWith("go: downloading") ? downloaded++ : compiled++) });
      }
    },
    () => `${downloaded} modules downloaded, ${compiled} packages compiled`,
  );
  mkdirSync(dir, { recursive: true });
  for (const binary of binaries) publish(join(staging, binary), join(dir, binary));
  rmSync(staging, { recursive: true, force: true });
}
