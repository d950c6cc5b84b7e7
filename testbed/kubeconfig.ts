import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";

/** How a kubeconfig's user authenticates: the admin's static token, or a client certificate (nodes, kube-proxy). */
export type Credentials = string | { readonly cert: string; readonly key: string };

/** Writes a kubeconfig for one identity; every component and client of the test bed uses one. */
export function writeKubeconfig(path: string, server: string, caCertPath: string, credentials: Credentials): string {
  const [name, user] =
    typeof credentials === "string" ? ["admin", { token: credentials }] : ["certificate", { "client-certificate": credentials.cert, "client-key": credentials.key }];
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "testbed", cluster: { server, "certificate-authority-data": readFileSync(caCertPath).toString("base64") } }],
    users: [{ name, user }],
    contexts: [{ name: "testbed", context: { cluster: "testbed", user: name } }],
    "current-context": "testbed",
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
