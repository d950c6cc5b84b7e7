// Go parity: every case states what Orchest's controller (services/orchest-controller at 560103a5,
// orchestcluster/cluster_utils.go and its cluster_utils_test.go) computes for the same input.
import test from "ava";
import { isCalVer, isCustomImage, orchestImage, resolveImage, splitImage } from "./images.js";

// TestIsCalVersion, plus the month as Orchest parses it (any two digits).
const calver: [string | undefined, boolean][] = [
  ["incorrect version", false],
  ["v202.02.2", false],
  ["v2022.2.2", false],
  ["v2022.2.", false],
  ["v2022.02.2", true],
  ["v2022.10.5", true],
  ["v2022.13.1", true],
  ["v2022.00.1", true],
  ["2022.10.5", false],
  ["v2022.10.5-rc1", false],
  ["v2022.10", false],
  [undefined, false],
];
for (const [tag, expected] of calver) {
  test(`CalVer as Orchest checks it: ${String(tag)} -> ${expected}`, (t) => {
    t.is(isCalVer(tag), expected);
  });
}

// TestParseImageName, plus the edge cases of splitDockerDomain and of the first ':' after the registry.
const splitCases: [string, ReturnType<typeof splitImage>][] = [
  ["orchest-webserver:latest", { domain: "", name: "orchest-webserver", tag: "latest" }],
  ["orchest-api", { domain: "", name: "orchest-api", tag: "latest" }],
  ["orchest-api:v2022.08.1", { domain: "", name: "orchest-api", tag: "v2022.08.1" }],
  ["my.test.registry/orchest-api:v2022.08.1", { domain: "my.test.registry", name: "orchest-api", tag: "v2022.08.1" }],
  ["orchest/orchest-api:v2022.10.5", { domain: "", name: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["docker.io/orchest/orchest-api:v2022.10.5", { domain: "docker.io", name: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["index.docker.io/orchest/orchest-api:v2022.10.5", { domain: "docker.io", name: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["localhost/orchest/orchest-api:v2022.10.5", { domain: "localhost", name: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["registry:5000/orchest/orchest-api:v2022.10.5", { domain: "registry:5000", name: "orchest/orchest-api", tag: "v2022.10.5" }],
  ["orchest/orchest-api@sha256:abc", { domain: "", name: "orchest/orchest-api@sha256", tag: "abc" }],
  ["orchest/orchest-api:v2022.10.5@sha256:abc", { domain: "", name: "orchest/orchest-api", tag: "v2022.10.5@sha256:abc" }],
];
for (const [image, expected] of splitCases) {
  test(`splits ${image} as Orchest's parseImageName`, (t) => {
    t.deepEqual(splitImage(image), expected);
  });
}

// isCustomImage: [image, component, spec.orchest.registry, custom?, why]
const customCases: [string, string, string | undefined, boolean, string][] = [
  ["orchest/orchest-api:v2022.10.5", "orchest-api", undefined, false, "Orchest's own default image"],
  ["orchest/orchest-api:v2022.13.1", "orchest-api", undefined, false, "any two-digit month"],
  ["docker.io/orchest/orchest-api:v2022.10.5", "orchest-api", undefined, true, "a registry while spec.orchest.registry is empty"],
  ["docker.io/orchest/orchest-api:v2022.10.5", "orchest-api", "docker.io", false, "the cluster's registry"],
  ["index.docker.io/orchest/orchest-api:v2022.10.5", "orchest-api", "docker.io", false, "index.docker.io reads as docker.io"],
  ["orchest/orchest-api:v2022.10.5", "orchest-api", "docker.io", true, "no registry while the cluster names one"],
  ["registry.example.com/orchest/orchest-api:v2022.10.5", "orchest-api", "registry.example.com", false, "cluster registry"],
  ["Registry.Example.com/orchest/orchest-api:v2022.10.5", "orchest-api", "registry.example.com", true, "registries compare as written"],
  ["acme/orchest-api:v2022.10.5", "orchest-api", undefined, true, "another repository"],
  ["orchest/orchest-webserver:v2022.10.5", "orchest-api", undefined, true, "another component's repository"],
  ["orchest/orchest-api:latest", "orchest-api", undefined, true, "a tag that is not CalVer"],
  ["orchest/orchest-api", "orchest-api", undefined, true, "no tag (latest)"],
  ["orchest/orchest-api:v2022.10.5-debug", "orchest-api", undefined, true, "CalVer with a suffix"],
  ["orchest/orchest-api@sha256:abc", "orchest-api", undefined, true, "a digest"],
  ["orchest/orchest-api:v2022.10.5@sha256:abc", "orchest-api", undefined, true, "a CalVer tag with a digest"],
];
for (const [image, component, registry, expected, why] of customCases) {
  test(`${expected ? "custom" : "not custom"}: ${image} for ${component}, registry "${registry ?? ""}" (${why})`, (t) => {
    t.is(isCustomImage(image, component, registry), expected);
  });
}

// isUpdateRequired: [template image, registry, version, the image deployed, behaviour]
const resolveCases: [string | undefined, string | undefined, string, string, string][] = [
  [undefined, undefined, "v2022.10.5", "orchest/orchest-api:v2022.10.5", "uses Orchest's default image when the CR sets none"],
  ["", undefined, "v2022.10.5", "orchest/orchest-api:v2022.10.5", "treats an empty image as none"],
  [undefined, "registry.example.com:5000", "v2022.10.5", "registry.example.com:5000/orchest/orchest-api:v2022.10.5", "pulls from spec.orchest.registry"],
  ["orchest/orchest-api:v2022.10.5", undefined, "v2022.11.1", "orchest/orchest-api:v2022.11.1", "moves a non-custom image on update"],
  ["acme.io/orchest/orchest-api:v2022.10.5", undefined, "v2022.11.1", "acme.io/orchest/orchest-api:v2022.10.5", "keeps an image of another registry"],
  ["docker.io/orchest/orchest-api:v2022.10.5", undefined, "v2022.11.1", "docker.io/orchest/orchest-api:v2022.10.5", "keeps docker.io/… while the registry is empty"],
  ["acme/orchest-api:v2022.10.5", undefined, "v2022.11.1", "acme/orchest-api:v2022.10.5", "keeps an image of another repository"],
  ["orchest/orchest-api:dev", undefined, "v2022.11.1", "orchest/orchest-api:dev", "keeps a tag that is not CalVer"],
  ["orchest/orchest-api@sha256:abc", undefined, "v2022.11.1", "orchest/orchest-api@sha256:abc", "keeps an image by digest, digest included"],
  ["orchest/orchest-api:v2022.10.5@sha256:abc", undefined, "v2022.11.1", "orchest/orchest-api:v2022.10.5@sha256:abc", "keeps a tag with a digest"],
];
for (const [templateImage, registry, version, expected, behaviour] of resolveCases) {
  test(`image rule: ${behaviour}`, (t) => {
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

test("builds Orchest's image name from registry, component and version (GetFullImageName)", (t) => {
  t.is(orchestImage("node-agent", "v2023.01.1"), "orchest/node-agent:v2023.01.1");
  t.is(orchestImage("node-agent", "v2023.01.1", "r.example:5000"), "r.example:5000/orchest/node-agent:v2023.01.1");
  t.is(orchestImage("node-agent", ""), "orchest/node-agent:latest");
});
