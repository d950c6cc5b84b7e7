import test from "ava";
import { InvalidReferenceError } from "./errors.js";
import { formatReference, manifestReference, parseReference, registryApiHost, tagOrDefault, type ImageReference } from "./reference.js";

const sha = `sha256:${"ab".repeat(32)}`;

const parses: [string, ImageReference][] = [
  ["nginx", { registry: "docker.io", repository: "library/nginx" }],
  ["nginx:1.27", { registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
  ["orchest/orchest-api:v2022.10.1", { registry: "docker.io", repository: "orchest/orchest-api", tag: "v2022.10.1" }],
  ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx" }],
  ["index.docker.io/library/nginx:latest", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
  ["localhost/app", { registry: "localhost", repository: "app" }],
  ["localhost:5000/app:v1", { registry: "localhost:5000", repository: "app", tag: "v1" }],
  ["127.0.0.1:38211/t/hello:v1", { registry: "127.0.0.1:38211", repository: "t/hello", tag: "v1" }],
  ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
  ["registry.k8s.io/pause:3.9", { registry: "registry.k8s.io", repository: "pause", tag: "3.9" }],
  ["ghcr.io/org/team/image_name__x-y.z", { registry: "ghcr.io", repository: "org/team/image_name__x-y.z" }],
  [`quay.io/app@${sha}`, { registry: "quay.io", repository: "app", digest: sha }],
  [`quay.io/app:v1@${sha}`, { registry: "quay.io", repository: "app", tag: "v1", digest: sha }],
  [`busybox@${sha}`, { registry: "docker.io", repository: "library/busybox", digest: sha }],
  // Docker's rule: without a slash "localhost:5000" is a repository with a tag, not a registry.
  ["localhost:5000", { registry: "docker.io", repository: "library/localhost", tag: "5000" }],
];

for (const [text, expected] of parses) {
  test(`parses ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(parseReference(text), expected);
  });
}

const rejects: [string, RegExp][] = [
  ["", /empty/],
  [" nginx", /whitespace/],
  ["Nginx", /lowercase/],
  ["docker.io/Library/nginx", /lowercase/],
  ["nginx:", /not a valid tag/],
  ["nginx:-bad", /not a valid tag/],
  [`nginx:${"x".repeat(129)}`, /not a valid tag/],
  ["nginx@sha256:abc", /not a digest/],
  [`nginx@sha256:${"AB".repeat(32)}`, /64 lowercase hex/],
  ["a//b", /not a valid path component/],
  ["registry.example.com/", /not a valid path component/],
  ["bad_host.example.com/app", /not a valid registry host/],
  ["example.com:99999/app", /out of range/],
  ["app/-x", /not a valid path component/],
  [`example.com/${"a".repeat(250)}`, /longer than 255/],
];

for (const [text, why] of rejects) {
  test(`rejects ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} saying why`, (t) => {
    const error = t.throws(() => parseReference(text), { instanceOf: InvalidReferenceError });
    t.regex(error!.message, why);
    t.is(error!.reason, "InvalidReference");
  });
}

test("formats the canonical name containerd uses and round-trips it", (t) => {
  for (const [text] of parses) {
    const canonical = formatReference(parseReference(text));
    t.deepEqual(parseReference(canonical), parseReference(text), canonical);
  }
  t.is(formatReference(parseReference("nginx")), "docker.io/library/nginx");
});

test("asks the registry for the digest first, else the tag, else latest", (t) => {
  t.is(manifestReference(parseReference(`app:v1@${sha}`)), sha);
  t.is(manifestReference(parseReference("app:v1")), "v1");
  t.is(manifestReference(parseReference("app")), "latest");
  t.is(tagOrDefault(parseReference("app")).tag, "latest");
  t.is(tagOrDefault(parseReference(`app@${sha}`)).tag, undefined);
});

test("talks to registry-1.docker.io for docker.io and to other registries as named", (t) => {
  t.is(registryApiHost("docker.io"), "registry-1.docker.io");
  t.is(registryApiHost("127.0.0.1:5000"), "127.0.0.1:5000");
});
