import test from "ava";
import { defaultImage, isCalVer, isCustomImage, parseImage, resolveImage } from "./images.js";

const parseCases: [string, ReturnType<typeof parseImage>][] = [
  ["postgres:13.1", { registry: "docker.io", repository: "library/postgres", tag: "13.1" }],
  ["orchest/orchest-api:v2022.10.5", { registry: "docker.io", repository: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["docker.io/orchest/orchest-api:v2022.10.5", { registry: "docker.io", repository: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["index.docker.io/orchest/orchest-api:v2022.10.5", { registry: "docker.io", repository: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["registry.example.com:5000/orchest/orchest-api", { registry: "registry.example.com:5000", repository: "orchest/orchest-api" }],
  ["localhost/orchest/x:v2022.01.1", { registry: "localhost", repository: "orchest/x", tag: "v2022.01.1" }],
  [
    "quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    { registry: "quay.io", repository: "a/b", digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
  ],
  ["10.96.0.10:443/env:3", { registry: "10.96.0.10:443", repository: "env", tag: "3" }],
];
for (const [image, expected] of parseCases) {
  test(`parses ${image} like a container runtime`, (t) => {
    t.deepEqual(parseImage(image), expected);
  });
}

const calver: [string | undefined, boolean][] = [
  ["v2022.10.5", true],
  ["v2023.01.10", true],
  ["2022.10.5", false],
  ["v2022.13.1", false],
  ["v2022.1.1", false],
  ["latest", false],
  ["v2022.10", false],
  [undefined, false],
];
for (const [tag, expected] of calver) {
  test(`recognizes CalVer: ${String(tag)} -> ${expected}`, (t) => {
    t.is(isCalVer(tag), expected);
  });
}

// [image, component, cluster registry, custom?, why]
const customCases: [string, string, string | undefined, boolean, string][] = [
  ["docker.io/orchest/orchest-api:v2022.10.5", "orchest-api", undefined, false, "default registry, Orchest repository, CalVer"],
  ["orchest/orchest-api:v2022.10.5", "orchest-api", undefined, false, "implicit docker.io"],
  ["orchest/orchest-api:v2022.10.5", "orchest-api", "docker.io", false, "explicit docker.io"],
  ["index.docker.io/orchest/orchest-api:v2022.10.5", "orchest-api", "docker.io", false, "docker.io alias"],
  ["registry.example.com/orchest/orchest-api:v2022.10.5", "orchest-api", "registry.example.com", false, "cluster registry"],
  ["registry.example.com/orchest/orchest-api:v2022.10.5", "orchest-api", undefined, true, "other registry than docker.io"],
  ["orchest/orchest-api:v2022.10.5", "orchest-api", "registry.example.com", true, "docker.io while the cluster uses another registry"],
  ["docker.io/acme/orchest-api:v2022.10.5", "orchest-api", undefined, true, "other repository"],
  ["docker.io/orchest/orchest-webserver:v2022.10.5", "orchest-api", undefined, true, "another component's repository"],
  ["docker.io/orchest/orchest-api:latest", "orchest-api", undefined, true, "non-CalVer tag"],
  ["docker.io/orchest/orchest-api", "orchest-api", undefined, true, "no tag"],
  ["docker.io/orchest/orchest-api:v2022.10.5-debug", "orchest-api", undefined, true, "CalVer with a suffix"],
  ["postgres:13.1", "orchest-database", undefined, true, "third-party image"],
];
for (const [image, component, registry, expected, why] of customCases) {
  test(`${expected ? "treats as custom" : "treats as non-custom"}: ${image} for ${component} (${why})`, (t) => {
    t.is(isCustomImage(image, component, registry), expected);
  });
}

// [template image, registry, version, expected image, behaviour]
const resolveCases: [string | undefined, string | undefined, string, string, string][] = [
  [undefined, undefined, "v2022.10.5", "docker.io/orchest/orchest-api:v2022.10.5", "uses the default image when no image is given"],
  [undefined, "registry.example.com:5000", "v2022.10.5", "registry.example.com:5000/orchest/orchest-api:v2022.10.5", "pulls non-custom images from spec.orchest.registry"],
  ["docker.io/orchest/orchest-api:v2022.10.5", undefined, "v2022.11.1", "docker.io/orchest/orchest-api:v2022.11.1", "moves a non-custom image to the new version on update"],
  ["orchest/orchest-api:v2022.01.1", undefined, "v2022.11.1", "docker.io/orchest/orchest-api:v2022.11.1", "normalizes a non-custom image to the canonical form"],
  ["acme.io/orchest/orchest-api:v2022.10.5", undefined, "v2022.11.1", "acme.io/orchest/orchest-api:v2022.10.5", "keeps a custom image (other registry) on version update"],
  ["docker.io/acme/api:v2022.10.5", undefined, "v2022.11.1", "docker.io/acme/api:v2022.10.5", "keeps a custom image (other repository) on version update"],
  ["docker.io/orchest/orchest-api:dev", undefined, "v2022.11.1", "docker.io/orchest/orchest-api:dev", "keeps a custom image (non-CalVer tag) on version update"],
  ["", undefined, "v2022.10.5", "docker.io/orchest/orchest-api:v2022.10.5", "treats an empty image as no image"],
];
for (const [templateImage, registry, version, expected, behaviour] of resolveCases) {
  test(`${behaviour}`, (t) => {
    t.is(
      resolveImage({
        component: "orchest-api",
        version,
        ...(templateImage !== undefined ? { templateImage } : {}),
        ...(registry !== undefined ? { registry } : {}),
      }),
      expected,
    );
  });
}

test("builds the default image from registry, component and version", (t) => {
  t.is(defaultImage("node-agent", "v2023.01.1"), "docker.io/orchest/node-agent:v2023.01.1");
  t.is(defaultImage("node-agent", "v2023.01.1", "r.example:5000"), "r.example:5000/orchest/node-agent:v2023.01.1");
});
