import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";

/** Writes a kubeconfig for the admin token; every component and client of the test bed uses it. */
export function writeKubeconfig(path: string, server: string, caCertPath: string, token: string): string {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "testbed", cluster: { server, "certificate-authority-data": readFileSync(caCertPath).toString("base64") } }],
    users: [{ name: "admin", user: { token } }],
    contexts: [{ name: "testbed", context: { cluster: "testbed", user: "admin" } }],
    "current-context": "testbed",
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
