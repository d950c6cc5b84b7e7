import test from "ava";
import { inRegistry, stepImage } from "./registry-name.js";

test("a build's image is named under the in-cluster registry, whatever registry spec.image names", (t) => {
  t.is(inRegistry("orchest-env-proj-env:3", "10.96.0.10"), "10.96.0.10/orchest-env-proj-env:3", "a bare name does not go to Docker Hub");
  t.is(inRegistry("team/env:3", "10.96.0.10"), "10.96.0.10/team/env:3");
  t.is(inRegistry("registry.acme.io/team/env:3", "10.96.0.10"), "10.96.0.10/team/env:3");
  t.is(inRegistry("localhost:5000/env:3", "10.96.0.10:443"), "10.96.0.10:443/env:3");
  t.is(inRegistry("env:3", undefined), "env:3", "without a registry, as written");
});

test("a step's image that names no registry is an environment's, in the in-cluster registry; one that names a registry is as written", (t) => {
  t.is(stepImage("orchest-env-proj-env:3", "10.96.0.10"), "10.96.0.10/orchest-env-proj-env:3");
  t.is(stepImage("team/env:3", "10.96.0.10"), "10.96.0.10/team/env:3");
  t.is(stepImage("registry.acme.io/team/env:3", "10.96.0.10"), "registry.acme.io/team/env:3");
  t.is(stepImage("10.96.0.10/env:3", "10.96.0.10"), "10.96.0.10/env:3");
  t.is(stepImage("env:3", undefined), "env:3", "without a registry, as written");
});
