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

/** This project's builder images, of its own release (the api's --builder-image-* flags say otherwise). */
export const DEFAULT_BUILDER_IMAGES: BuilderImages = { docker: projectImages().builderDocker, buildkit: projectImages().builderBuildctl };

/**
 * The builder pod of a build on `target`: the runtime's CLI with the host socket mounted and the context
 * read-only; the image is tagged `image` (the build's name under the in-cluster registry). Every user value
 * (image name, Dockerfile path, build args) is one argv element: no shell.
 */
export function builderPod(build: ImageBuild, target: BuildTarget, images: BuilderImages, image: string): KubeObject {
  const spec = build.spec;
  const dockerfile = spec.dockerfile ?? "Dockerfile";
  const args = spec.buildArgs ?? [];
  const docker = target.runtime === "docker";
  const command = docker
    ? ["docker", "build", "--progress=plain", "--file", posix.join(CONTEXT_DIR, dockerfile), "--tag", image, ...args.flatMap((a) => ["--build-arg", `${a.name}=${a.value ?? ""}`]), CONTEXT_DIR]
    : [
        "buildctl", "--addr", `unix://${BUILDKIT_SOCKET}`, "build", "--progress=plain",
        "--frontend", "dockerfile.v0",
        "--local", `context=${CONTEXT_DIR}`,
        "--local", `dockerfile=${posix.join(CONTEXT_DIR, posix.dirname(dockerfile))}`,
        "--opt", `filename=${posix.basename(dockerfile)}`,
        ...args.flatMap((a) => ["--opt", `build-arg:${a.name}=${a.value ?? ""}`]),
        // Into the node's containerd (buildkitd's worker uses namespace k8s.io), unpacked so the kubelet can run it.
        "--output", `type=image,name=${image},unpack=true`,
        // The manifest digest, as the container's termination message.
        "--metadata-file", "/dev/termination-log",
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
