import test from "ava";
import type { ImageBuild } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";
import { buildTarget } from "./build-target.js";
import { builderPod, DEFAULT_BUILDER_IMAGES } from "./builder-pod.js";
import { digestOf } from "./build-progress.js";

const node = (name: string, runtime: string, extra: Partial<KubeObject["metadata"]> = {}, ready = true): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: {}, ...extra },
  status: { nodeInfo: { containerRuntimeVersion: `${runtime}://1.0` }, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const build: ImageBuild = {
  apiVersion: "orchest.io/v1alpha1",
  kind: "ImageBuild",
  metadata: { name: "env-1", namespace: "orchest", uid: "u-1" },
  spec: { image: "orchest-env-p-e:3", context: { persistentVolumeClaim: { claimName: "userdir", path: "/projects/p/" } }, dockerfile: "envs/e/Dockerfile", buildArgs: [{ name: "A", value: "$(id)" }] },
};
const container = (pod: KubeObject) => (pod.spec as any).containers[0];

test("a docker builder mounts the host's docker socket, builds and pushes with the docker CLI, user values on argv only", (t) => {
  const image = "10.96.0.10/orchest-env-p-e:3";
  const pod = builderPod(build, { runtime: "docker", hostPath: "/var/run/docker.sock", nodes: ["d1", "d2"] }, DEFAULT_BUILDER_IMAGES, image);
  const spec = pod.spec as any;
  t.is(container(pod).image, DEFAULT_BUILDER_IMAGES.docker);
  const [sh, c, script, name, ...argv] = container(pod).command;
  t.deepEqual([sh, c, name], ["sh", "-c", "sh"]);
  // The script is fixed text: the image comes from the environment, the build's arguments as "$@", never spliced in.
  t.false(script.includes(image) || script.includes("$(id)"));
  t.regex(script, /docker build "\$@".*docker push "\$ORCHEST_IMAGE".*RepoDigests.*> \/dev\/termination-log/s);
  t.deepEqual(argv, ["--progress=plain", "--file", "/context/envs/e/Dockerfile", "--tag", image, "--build-arg", "A=$(id)", "/context"]);
  t.deepEqual(container(pod).env, [{ name: "ORCHEST_IMAGE", value: image }]);
  t.deepEqual(spec.volumes[0], { name: "docker-socket", hostPath: { path: "/var/run/docker.sock", type: "Socket" } });
  t.deepEqual(spec.volumes[1], { name: "context", persistentVolumeClaim: { claimName: "userdir", readOnly: true } });
  t.deepEqual(container(pod).volumeMounts, [
    { name: "docker-socket", mountPath: "/var/run/docker.sock" },
    { name: "context", mountPath: "/context", readOnly: true, subPath: "projects/p" },
  ]);
  t.deepEqual(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.map((term: any) => term.matchFields[0].values[0]), ["d1", "d2"]);
  t.is(spec.restartPolicy, "Never");
  t.like(pod.metadata.ownerReferences?.[0], { kind: "ImageBuild", name: "env-1", uid: "u-1", controller: true });
});

test("a containerd builder mounts buildkit-daemon's socket directory and runs buildctl into containerd", (t) => {
  const pod = builderPod(build, { runtime: "containerd", hostPath: "/run/orchest_buildkit", nodes: ["c1"] }, DEFAULT_BUILDER_IMAGES, build.spec.image);
  const spec = pod.spec as any;
  t.is(container(pod).image, DEFAULT_BUILDER_IMAGES.buildkit);
  const command: string[] = container(pod).command;
  t.deepEqual([command[0], command[1], command[3]], ["sh", "-c", "sh"], "a fixed script, the arguments as $@");
  t.regex(command[2]!, /^set -e\nbuildctl "\$@" --metadata-file \/tmp\/metadata\.json\ncat \/tmp\/metadata\.json > \/dev\/termination-log$/);
  t.deepEqual(command.slice(4, 7), ["--addr", "unix:///run/orchest_buildkit/buildkitd.sock", "build"]);
  t.true(command.includes("dockerfile=/context/envs/e") && command.includes("filename=Dockerfile"));
  t.true(command.includes("build-arg:A=$(id)"));
  t.true(command.includes("type=image,name=orchest-env-p-e:3,unpack=true"));
  t.deepEqual(spec.volumes[0], { name: "buildkit-socket", hostPath: { path: "/run/orchest_buildkit", type: "Directory" } });
  t.deepEqual(container(pod).volumeMounts[0], { name: "buildkit-socket", mountPath: "/run/orchest_buildkit" });
});

test("the target is the largest Ready runtime group that fits the spec, confined to its nodes", (t) => {
  const nodes = [node("c1", "containerd"), node("c2", "containerd"), node("d1", "docker"), node("d2", "docker", { annotations: { "orchest.io/container-runtime-socket": "/run/docker.sock" } }), node("c3", "containerd", {}, false)];
  t.deepEqual(buildTarget({}, nodes), { runtime: "containerd", hostPath: "/run/orchest_buildkit", nodes: ["c1", "c2"] });
  t.deepEqual(buildTarget({ runtime: "docker" }, nodes), { runtime: "docker", hostPath: "/run/docker.sock", nodes: ["d2"] });
  t.deepEqual(buildTarget({ nodeName: "d1" }, nodes), { runtime: "docker", hostPath: "/var/run/docker.sock", nodes: ["d1"] });
  t.regex(buildTarget({ nodeName: "c3" }, nodes) as string, /no Ready node .* named c3/);
});

test("the digest comes from buildkit's metadata file or docker's repo digest, nothing else", (t) => {
  const digest = `sha256:${"a".repeat(64)}`;
  t.is(digestOf(JSON.stringify({ "containerimage.digest": digest })), digest);
  t.is(digestOf(`10.96.0.10/orchest-env-p-e@${digest}\n`), digest, "docker image inspect's RepoDigests entry");
  t.is(digestOf(`sha256:${"b".repeat(64)}`), undefined, "an image ID is not a manifest digest");
  t.is(digestOf(undefined), undefined);
});
