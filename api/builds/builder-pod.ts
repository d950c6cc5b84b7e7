import { posix } from "node:path";
import type { ImageBuild } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { BUILDKIT_SOCKET, BUILDKIT_SOCKET_DIR } from "../../synth/buildkit-daemon.js";
import { projectImages } from "../../synth/project-images.js";
import { childName } from "../pipelines/names.js";
import type { BuildTarget } from "./build-target.js";

/** The builder pod's one container, whose log is the build's log. */
export const BUILDER_CONTAINER = "build";

export const BUILD_UID_LABEL = "orchest.io/image-build-uid";
/** Where the build context is mounted in the builder. */
const CONTEXT_DIR = "/context";

/** Images of the builders: one with the docker CLI, one with buildctl. */
export interface BuilderImages {
  readonly docker: string;
  readonly buildkit: string;
}

/** The docker builder: build with the arguments, push, and write the pushed image's repo digest where Kubernetes reads it. */
const DOCKER_BUILD_SCRIPT = [
  "set -e",
  'docker build "$@"',
  'docker push "$ORCHEST_IMAGE"',
  'docker image inspect --format "{{range .RepoDigests}}{{println .}}{{end}}" "$ORCHEST_IMAGE" > /dev/termination-log',
].join("\n");

/**
 * The buildctl builder: build with the arguments, then hand the metadata (the manifest digest) to Kubernetes.
 * buildctl writes its metadata file by renaming a new file onto it, which the kubelet's bind-mounted termination
 * log refuses (EBUSY): it is written aside and copied.
 */
const BUILDCTL_BUILD_SCRIPT = ["set -e", 'buildctl "$@" --metadata-file /tmp/metadata.json', "cat /tmp/metadata.json > /dev/termination-log"].join("\n");

/** This project's builder images, of its own release (the api's --builder-image-* flags say otherwise). */
export const DEFAULT_BUILDER_IMAGES: BuilderImages = { docker: projectImages().builderDocker, buildkit: projectImages().builderBuildctl };

/**
 * The builder pod of a build on `target`: the runtime's CLI with the host socket mounted and the context
 * read-only; the image is tagged `image` (the build's name under the in-cluster registry). Every user value
 * (image name, Dockerfile path, build args) is one argv element, passed to a fixed script as "$@": nothing is
 * interpolated into shell text.
 */
export function builderPod(build: ImageBuild, target: BuildTarget, images: BuilderImages, image: string): KubeObject {
  const spec = build.spec;
  const dockerfile = spec.dockerfile ?? "Dockerfile";
  const args = spec.buildArgs ?? [];
  const docker = target.runtime === "docker";
  const command = docker
    ? [
        // Docker knows an image's manifest digest only once it has pushed it: the builder pushes to the in-cluster
        // registry (the node-agent's push then finds every blob there) and leaves the digest as its termination
        // message. The script is fixed text; the image is in the environment and the build's arguments are "$@".
        "sh", "-c", DOCKER_BUILD_SCRIPT, "sh",
        "--progress=plain", "--file", posix.join(CONTEXT_DIR, dockerfile), "--tag", image, ...args.flatMap((a) => ["--build-arg", `${a.name}=${a.value ?? ""}`]), CONTEXT_DIR,
      ]
    : [
        // The script is fixed text; the build's arguments are "$@".
        "sh", "-c", BUILDCTL_BUILD_SCRIPT, "sh",
        "--addr", `unix://${BUILDKIT_SOCKET}`, "build", "--progress=plain",
        "--frontend", "dockerfile.v0",
        "--local", `context=${CONTEXT_DIR}`,
        "--local", `dockerfile=${posix.join(CONTEXT_DIR, posix.dirname(dockerfile))}`,
        "--opt", `filename=${posix.basename(dockerfile)}`,
        ...args.flatMap((a) => ["--opt", `build-arg:${a.name}=${a.value ?? ""}`]),
        // Into the node's containerd (buildkitd's worker uses namespace k8s.io), unpacked so the kubelet can run it.
        "--output", `type=image,name=${image},unpack=true`,
      ];
  const socket = docker
    ? { volume: { name: "docker-socket", hostPath: { path: target.hostPath, type: "Socket" } }, mount: { name: "docker-socket", mountPath: "/var/run/docker.sock" } }
    : { volume: { name: "buildkit-socket", hostPath: { path: target.hostPath, type: "Directory" } }, mount: { name: "buildkit-socket", mountPath: BUILDKIT_SOCKET_DIR } };
  const pvc = spec.context.persistentVolumeClaim;
  const context = pvc
    ? { volume: { name: "context", persistentVolumeClaim: { claimName: pvc.claimName, readOnly: true } }, mount: { name: "context", mountPath: CONTEXT_DIR, readOnly: true, ...(pvc.path.replace(/^\/+|\/+$/g, "") ? { subPath: pvc.path.replace(/^\/+|\/+$/g, "") } : {}) } }
    : { volume: { name: "context", configMap: { name: spec.context.configMap!.name } }, mount: { name: "context", mountPath: CONTEXT_DIR, readOnly: true } };
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: childName(build.metadata!.name!, "builder"),
      namespace: build.metadata!.namespace!,
      labels: { [BUILD_UID_LABEL]: build.metadata!.uid!, "app.kubernetes.io/component": "image-builder", "app.kubernetes.io/managed-by": "orchest-api" },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      ...(spec.nodeSelector ? { nodeSelector: { ...spec.nodeSelector } } : {}),
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            // A node field selector takes one value per requirement: one (ORed) term per node.
            nodeSelectorTerms: target.nodes.map((node) => ({ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] })),
          },
        },
      },
      containers: [
        {
          name: BUILDER_CONTAINER,
          image: docker ? images.docker : images.buildkit,
          command,
          ...(docker ? { env: [{ name: "ORCHEST_IMAGE", value: image }] } : {}),
          volumeMounts: [socket.mount, context.mount],
          // A failed build's last log lines become the termination message: status.message shows them.
          terminationMessagePolicy: "FallbackToLogsOnError",
        },
      ],
      volumes: [socket.volume, context.volume],
    },
  };
  return withControllerReference(pod, build as unknown as KubeObject);
}
