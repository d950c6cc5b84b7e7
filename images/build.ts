// Builds the project's images as OCI layouts, and pushes them with crane.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { partialPath, publish } from "../testbed/atomic.js";
import { cacheRoot, ensureBinaries } from "../testbed/binaries.js";
import { run } from "../testbed/command.js";
import { ensureDebianPackages } from "../testbed/packages.js";
import { quietLog, timed, type Log } from "../testbed/progress.js";
import { IMAGES, type ImageDefinition, type ImageInputs } from "./definitions.js";
import { writeOciLayout, type OciLayout } from "./oci-layout.js";
import { Rootfs } from "./rootfs.js";

/** The repository root (lib/images/build.js sits two levels below it). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pauseSource = join(REPO_ROOT, "images", "pause", "pause.go");

/** The tag of every image: the project's version, as the chart and the operator pin them. */
export function imageTag(): string {
  return JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;
}

export interface BuiltImage extends OciLayout {
  readonly name: string;
}

export interface BuildOptions {
  /** Build only these images (by name). @default all */
  readonly only?: readonly string[];
  /** Where the layouts go, one folder per image. @default the cache, under images/ */
  readonly outDir?: string;
  /** Reference prefix recorded in the layouts. @default "orchest-gitops.local" */
  readonly prefix?: string;
  /** Reuse compressed layers of unchanged trees from the cache. @default true */
  readonly layerCache?: boolean;
  readonly log?: Log;
}

/** Builds the images; a layer whose content is unchanged is taken from the cache instead of compressed again. */
export async function buildImages(options: BuildOptions = {}): Promise<BuiltImage[]> {
  const log = options.log ?? quietLog;
  const wanted = options.only ? IMAGES.filter((image) => options.only!.includes(image.name)) : IMAGES;
  const unknown = (options.only ?? []).filter((name) => !IMAGES.some((image) => image.name === name));
  if (unknown.length > 0) throw new Error(`no image named ${unknown.join(", ")}. Fix: one of ${IMAGES.map((i) => i.name).join(", ")}`);
  const inputs = await resolveInputs(wanted, log);
  const outDir = options.outDir ?? join(cacheRoot(), "images", "layouts");
  const prefix = options.prefix ?? "orchest-gitops.local";
  const built: BuiltImage[] = [];
  for (const image of wanted) {
    const layerCache = options.layerCache === false ? undefined : join(cacheRoot(), "images", "layers");
    built.push(await timed(log, `building image ${image.name}`, () => buildImage(image, inputs, join(outDir, image.name), `${prefix}/${image.name}:${imageTag()}`, layerCache)));
  }
  return built;
}

/** Stages an image's root filesystem in `dir` (what its single layer holds). */
export async function stageImage(name: string, dir: string, log: Log = quietLog): Promise<Rootfs> {
  const image = IMAGES.find((i) => i.name === name);
  if (!image) throw new Error(`no image named ${name}`);
  const root = new Rootfs(dir);
  image.stage(root, await resolveInputs([image], log));
  return root;
}

async function buildImage(image: ImageDefinition, inputs: ImageInputs, dir: string, reference: string, layerCache: string | undefined): Promise<BuiltImage> {
  const root = new Rootfs(`${dir}.rootfs`);
  try {
    image.stage(root, inputs);
    const layout = await writeOciLayout(dir, { reference, layers: [root.dir], config: image.config, layerCache });
    return { name: image.name, ...layout };
  } finally {
    rmSync(root.dir, { recursive: true, force: true });
  }
}

async function resolveInputs(images: readonly ImageDefinition[], log: Log): Promise<ImageInputs> {
  await ensureDebianPackages([...new Set(images.flatMap((image) => image.debian ?? []))], log);
  const needs = (name: string) => images.some((image) => image.name === name);
  const tools = needs("builder-buildctl") || needs("buildkitd") ? await ensureBinaries(log) : {};
  const binaries: Record<string, string> = { ...tools };
  if (needs("pause")) binaries.pause = await buildPause(log);
  const productionModules = needs("orchest-gitops") ? await ensureProductionModules(log) : "";
  if (needs("orchest-gitops") && !existsSync(join(REPO_ROOT, "lib", "operator", "main.js"))) {
    throw new Error(`${join(REPO_ROOT, "lib")} has no compiled operator. Fix: run \`npx projen compile\` first.`);
  }
  return { repo: REPO_ROOT, productionModules, binaries };
}

function digestOf(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, 16);
}

/** The pause binary, built with Go from images/pause/pause.go into the cache (keyed by the source). */
async function buildPause(log: Log): Promise<string> {
  const source = readFileSync(pauseSource);
  const out = join(cacheRoot(), "bin", `pause-${digestOf(source)}`, "pause");
  if (existsSync(out)) return out;
  const partial = partialPath(out);
  await timed(log, "building the pause binary (images/pause/pause.go)", () =>
    run("go", ["build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", partial, pauseSource], {
      env: { ...process.env, CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "" },
      cwd: join(REPO_ROOT, "images", "pause"),
    }),
  );
  publish(partial, out);
  return out;
}

/** `npm ci --omit=dev` of the project's lockfile, cached by the lockfile's content. */
async function ensureProductionModules(log: Log): Promise<string> {
  const lock = readFileSync(join(REPO_ROOT, "package-lock.json"));
  const dir = join(cacheRoot(), "images", `node_modules-${digestOf(lock)}`);
  if (existsSync(join(dir, "node_modules"))) return join(dir, "node_modules");
  const partial = partialPath(dir);
  mkdirSync(partial, { recursive: true });
  cpSync(join(REPO_ROOT, "package.json"), join(partial, "package.json"));
  cpSync(join(REPO_ROOT, "package-lock.json"), join(partial, "package-lock.json"));
  await timed(log, "installing the production node_modules (npm ci --omit=dev)", () =>
    run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: partial }),
  );
  publish(partial, dir);
  return join(dir, "node_modules");
}

export interface PushOptions {
  /** Registries reached over plain HTTP (the test bed's), by host:port. */
  readonly plainHttp?: boolean;
  readonly log?: Log;
}

/** Pushes each layout to PREFIX/NAME:TAG with crane; returns the pushed references, each with its digest. */
export async function pushImages(images: readonly BuiltImage[], prefix: string, options: PushOptions = {}): Promise<Map<string, string>> {
  const crane = (await ensureBinaries(options.log ?? quietLog)).crane!;
  const pushed = new Map<string, string>();
  for (const image of images) {
    const reference = `${prefix}/${image.name}:${imageTag()}`;
    await run(crane, ["push", ...(options.plainHttp ? ["--insecure"] : []), image.dir, reference]);
    pushed.set(image.name, `${reference}@${image.digest}`);
  }
  return pushed;
}
