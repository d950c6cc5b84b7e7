import { readFileSync } from "node:fs";

/**
 * This project's images, as `npm run images` builds them and a release pushes them under one prefix
 * (`<prefix>/<name>:<version>`). The operator runs the first; it deploys the others.
 */
export interface ProjectImages {
  /** The operator, the api and the node-agent: one image, three entrypoints. */
  readonly project: string;
  /** buildkitd for the buildkit-daemon DaemonSet. */
  readonly buildkitd: string;
  /** The builders of image builds: buildctl (containerd nodes) and the docker CLI (docker nodes). */
  readonly builderBuildctl: string;
  readonly builderDocker: string;
  /** The in-cluster registry. */
  readonly registry: string;
  /** git and ssh, for the api's git imports that name no image of their own. */
  readonly git: string;
  /** The interactive sessions' Jupyter server (with the Python kernel), for Sessions that name no image. */
  readonly jupyterServer: string;
}

/** Where this project's release images are published. */
export const RELEASE_IMAGE_PREFIX = "ghcr.io/orchest-gitops";

/** This project's version (package.json): the tag of its images. */
export const PROJECT_VERSION: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

const NAMES: Readonly<Record<keyof ProjectImages, string>> = {
  project: "orchest-gitops",
  buildkitd: "buildkitd",
  builderBuildctl: "builder-buildctl",
  builderDocker: "builder-docker",
  registry: "registry",
  git: "git",
  jupyterServer: "jupyter-server",
};

/** The images of one release: `<prefix>/<name>:<tag>`. */
export function projectImages(prefix: string = RELEASE_IMAGE_PREFIX, tag: string = PROJECT_VERSION): ProjectImages {
  return Object.fromEntries(Object.entries(NAMES).map(([key, name]) => [key, `${prefix}/${name}:${tag}`])) as unknown as ProjectImages;
}

/**
 * The images of the release the given project image belongs to: the same registry, path and tag, as the
 * operator finds them from its own image. A digest is dropped (it pins that one image only).
 */
export function projectImagesBeside(projectImage: string): ProjectImages {
  const withoutDigest = projectImage.replace(/@sha256:[a-f0-9]{64}$/, "");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  if (slash < 0 || colon < slash) {
    throw new Error(`"${projectImage}" is not PREFIX/NAME:TAG. Fix: name this project's image with its registry path and tag, e.g. ${projectImages().project}`);
  }
  return projectImages(withoutDigest.slice(0, slash), withoutDigest.slice(colon + 1));
}
