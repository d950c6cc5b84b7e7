import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** crds/ in the source tree (lib/ sits beside it). */
export const CRD_DIR = fileURLToPath(new URL("../../crds/", import.meta.url));

/** Installs (or updates) every CRD of crds/ with server-side apply and waits until they are served. */
export function installCrds(kubeconfig: string, kubectl = "kubectl"): string[] {
  const files = readdirSync(CRD_DIR).filter((file) => file.endsWith(".yaml")).sort();
  const run = (...args: string[]) => execFileSync(kubectl, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
  run("apply", "--server-side", "--force-conflicts", "--field-manager=orchest-operator", ...files.flatMap((file) => ["-f", join(CRD_DIR, file)]));
  const names = files.map((file) => file.replace(/\.yaml$/, ""));
  run("wait", "--for=condition=Established", "--timeout=60s", ...names.map((name) => `crd/${name}`));
  return names;
}
