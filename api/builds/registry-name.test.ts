import test from "ava";
import { inRegistry } from "./registry-name.js";

test("a build's image is named under the in-cluster registry, whatever registry spec.image names", (t) => {
  t.is(inRegistry("orchest-env-proj-env:3", "10.96.0.10"), "10.96.0.10/orchest-env-proj-env:3", "a bare name does not go to Docker Hub");
  t.is(inRegistry("team/env:3", "10.96.0.10"), "10.96.0.10/team/env:3");
  t.is(inRegistry("registry.acme.io/team/env:3", "10.96.0.10"), "10.96.0.10/team/env:3");
  t.is(inRegistry("localhost:5000/env:3", "10.96.0.10:443"), "10.96.0.10:443/env:3");
  t.is(inRegistry("env:3", undefined), "env:3", "without a registry, as written");
});
