import test from "ava";
import { execFile, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { PACKAGE_ROOT } from "../cli/paths.js";
import { orchest } from "../cli/testing.js";
import { ensureBinaries } from "../testbed/binaries.js";

// The package as a user gets it: `npm pack`, installed from the npm cache into a scratch copy of
// examples/cdk8s-app, and used from there through its exports only.
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "orchest-packed-"));
const app = join(scratch, "cdk8s-app");
const npm = (cwd: string, ...args: string[]) => run("npm", args, { cwd, maxBuffer: 64 << 20 });

let packedFiles: string[] = [];

test.before(async () => {
  const packed = JSON.parse((await npm(PACKAGE_ROOT, "pack", "--json", "--pack-destination", scratch)).stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed[0]!.files.map((f) => f.path);
  cpSync(join(PACKAGE_ROOT, "examples", "cdk8s-app"), app, { recursive: true });
  cpSync(join(PACKAGE_ROOT, "examples", "orchestcluster.yaml"), join(scratch, "orchestcluster.yaml"));
  await npm(app, "install", "--prefer-offline", "--no-audit", "--no-fund", join(scratch, packed[0]!.filename));
});

test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

const ENTRY_POINTS = `
import { WorkQueue } from "orchest-gitops/reconcilers";
import { synth, type Manifest } from "orchest-gitops/synth";
import { orchestClusterResource, type OrchestCluster } from "orchest-gitops/crds/types";
import { output, getInputs } from "orchest-gitops/sdk";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const queue = new WorkQueue();
queue.add("default/a");
const key: string | undefined = await queue.get();
queue.shutDown();

const cluster: OrchestCluster = { apiVersion: orchestClusterResource.apiVersion, kind: orchestClusterResource.kind, metadata: { name: "c", namespace: "orchest" } };
const manifests: Manifest[] = synth(cluster, { nodes: [] });

const dataDir = mkdtempSync(tmpdir() + "/sdk-");
output({ answer: 42 }, "result", { dataDir, stepUuid: "step-1" });
const inputs = getInputs({ dataDir, stepUuid: "step-2", parents: ["step-1"] });

const hidden = await import("orchest-gitops/lib/cli/main.js" as string).then(() => "reachable", (e: NodeJS.ErrnoException) => e.code);
console.log(JSON.stringify({ key, plural: orchestClusterResource.plural, kinds: [...new Set(manifests.map((m) => m.kind))].length, inputs, hidden }));
`;

test("the packed package serves reconcilers, synth, crds/types and sdk with their types, and nothing else", async (t) => {
  writeFileSync(join(app, "entry-points.ts"), ENTRY_POINTS);
  // Type-checks the uses against the installed declaration files (skipLibCheck: client-node's own types need @types/ws), then runs them.
  await run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "--module", "NodeNext", "--moduleResolution", "NodeNext", "--target", "ES2022", "--strict", "--skipLibCheck", "--types", "node", "entry-points.ts"], { cwd: app });
  const result = JSON.parse((await run(process.execPath, ["entry-points.js"], { cwd: app })).stdout);
  t.is(result.key, "default/a");
  t.is(result.plural, "orchestclusters");
  t.true(result.kinds > 5, "synth renders the platform's kinds");
  t.deepEqual(result.inputs, { unnamed: [], result: { answer: 42 } });
  t.is(result.hidden, "ERR_PACKAGE_PATH_NOT_EXPORTED");
});

test("the tarball holds compiled code, declarations, the CRDs and the chart: no tests, test support, TypeScript sources or build state", (t) => {
  const stray = packedFiles.filter((f) => /\.test\.|(^|\/)testing(\/|\.)|test-support\.|\.tsbuildinfo$|\.map$|(?<!\.d)\.ts$/.test(f));
  t.deepEqual(stray, []);
  t.true(packedFiles.includes("lib/reconcilers/index.d.ts") && packedFiles.includes("charts/orchest-operator/Chart.yaml") && packedFiles.includes("crds/orchestclusters.orchest.io.yaml"));
});

test("examples/cdk8s-app asks for the version of the package that it is shipped with", (t) => {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8"));
  const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, "examples", "cdk8s-app", "package.json"), "utf8"));
  t.is(example.dependencies["orchest-gitops"], `^${version}`);
});

type Obj = { kind: string; metadata: { name: string; namespace?: string } };
const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const byKey = (objects: Obj[]) => Object.fromEntries(objects.map((o) => [key(o), o]));

test("cdk8s synth of examples/cdk8s-app renders the objects `orchest synth` renders for the same spec", async (t) => {
  await run(join(app, "node_modules/.bin/cdk8s"), ["synth"], { cwd: app, maxBuffer: 64 << 20 });
  const dist = join(app, "dist");
  const fromApp = readdirSync(dist).flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dist, f), "utf8")).map((d) => d.toJS() as Obj));
  const fromCli = await orchest("synth", "-f", join(scratch, "orchestcluster.yaml"));
  t.is(fromCli.code, 0, fromCli.stderr);
  const expected = YAML.parseAllDocuments(fromCli.stdout).map((d) => d.toJS() as Obj);
  t.true(expected.length > 10);
  t.deepEqual(byKey(fromApp), byKey(expected));
});

// The package's bins, as npm links them, first on PATH: what a user's shell finds after `npm install -g`.
const withBins = async () => ({ ...process.env, PATH: `${join(app, "node_modules/.bin")}:${dirname((await ensureBinaries(() => {})).kubectl!)}:${process.env.PATH}` });

test("installed as kubectl-orchest, the CLI is the kubectl plugin `kubectl orchest`, and kubectl completes its words", async (t) => {
  const env = await withBins();
  const version = await run("kubectl", ["orchest", "version"], { env });
  t.regex(version.stdout, /^orchest \d+\.\d+\.\d+$/m);
  const help = await run("kubectl", ["orchest", "help"], { env });
  t.regex(help.stdout, /^ {13}kubectl orchest synth -f cluster\.yaml/m);
  // kubectl's own completion asks kubectl_complete-orchest for the plugin's words.
  const commands = await run("kubectl", ["__complete", "orchest", "sy"], { env });
  t.deepEqual(commands.stdout.trim().split("\n"), ["synth\tprint or write the manifests of a cluster (for Argo CD and Flux)", ":4"]);
  const runtimes = await run("kubectl", ["__complete", "orchest", "synth", "--runtime", ""], { env });
  t.deepEqual(runtimes.stdout.trim().split("\n"), ["containerd", "docker", ":4"]);
});

test("bash completes commands, flags and flag values of orchest and kubectl-orchest", async (t) => {
  const script = `
    source <(orchest completion bash)
    ask() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _orchest_complete; echo "\${COMPREPLY[*]}"; }
    ask orchest st
    ask kubectl-orchest synth --runtime d
    ask orchest status --w
    ask orchest completion ''
    complete -p orchest kubectl-orchest`;
  const { stdout } = await run("bash", ["-c", script], { env: await withBins() });
  t.deepEqual(stdout.trim().split("\n"), ["status", "docker", "--wait", "bash zsh", "complete -F _orchest_complete orchest", "complete -F _orchest_complete kubectl-orchest"]);
});

const zsh = spawnSync("zsh", ["--version"]).status === 0;
(zsh ? test : test.skip)("zsh completes commands, flags and flag values, and lists commands with their summaries (skipped where zsh is not installed)", async (t) => {
  // An interactive zsh with compsys (compinit) in a pseudo-terminal (zpty), typed into as a user would, each line
  // once its prompt is shown (zle reads keys raw then; typed earlier, a C-d is the terminal's end of file), with
  // emacs key bindings (zsh picks vi's when $EDITOR names vi).
  const script = `
    zmodload zsh/zpty
    # Reads the shell's output up to the end of the first match of $1, into $seen.
    expect() { zpty -r -m z seen "*$1" }
    # At the prompt (zle reads keys raw there), types $1 and TAB, then runs the completed line as print's arguments.
    complete() { expect 'ZLE> ' && zpty -w -n z "$1"$'\\t\\x01print -r -- DONE\\'\\':\\x05\\r' && expect $'DONE:*\\r' && print -r -- "COMPLETED:\${\${seen##*DONE:}%$'\\r'}" }
    zpty z "zsh -f -i"
    zpty -w z "PS1='ZLE''> '; bindkey -e; autoload -Uz compinit && compinit -u -D && source <(orchest completion zsh)"
    complete 'orchest sy'
    complete 'kubectl-orchest synth --runtime d'
    complete 'orchest status --w'
    expect 'ZLE> '
    zpty -w -n z $'orchest s\\x04'
    expect 'synth*Flux\\)'
    print -r -- "$seen"
    zpty -d z`;
  // The timeout only ends a hang (an output never seen) before ava's own.
  const { stdout } = await run("zsh", ["-f", "-c", script], { env: await withBins(), timeout: 240_000 });
  const lines = stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").split(/\r?\n/).map((l) => l.trimEnd());
  t.deepEqual(lines.filter((l) => l.startsWith("COMPLETED:")), ["COMPLETED:orchest synth", "COMPLETED:kubectl-orchest synth --runtime docker", "COMPLETED:orchest status --wait"]);
  t.deepEqual(lines.filter((l) => /^s\w+ +-- /.test(l)).map((l) => l.replace(/ +-- /, ": ")), [
    "status: show clusters, their components and conditions",
    "synth: print or write the manifests of a cluster (for Argo CD and Flux)",
  ]);
});
