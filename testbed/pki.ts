import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./command.js";

/** Files of a throwaway PKI: one CA, the apiserver's serving certificate, service-account keys, an admin token. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly tokenFile: string;
  readonly adminToken: string;
}

const apiserverNames = [
  "IP:127.0.0.1",
  "IP:10.0.0.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

/** Creates the PKI with openssl (EC P-256 keys: fast to make, accepted by every component). */
export async function createPki(dir: string): Promise<Pki> {
  const file = (name: string) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", ["req", "-x509", ...ec, "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "3650", "-subj", "/CN=orchest-testbed-ca"]);
  await run("openssl", ["req", "-new", ...ec, "-keyout", file("apiserver.key"), "-out", file("apiserver.csr"), "-subj", "/CN=kube-apiserver"]);
  writeFileSync(file("apiserver.ext"), `subjectAltName=${apiserverNames.join(",")}\nextendedKeyUsage=serverAuth\n`);
  await run("openssl", [
    "x509", "-req", "-in", file("apiserver.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-out", file("apiserver.crt"), "-days", "3650", "-extfile", file("apiserver.ext"),
  ]);
  await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("sa.key")]);
  await run("openssl", ["ec", "-in", file("sa.key"), "-pubout", "-out", file("sa.pub")]);
  const adminToken = randomBytes(24).toString("hex");
  writeFileSync(file("tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n`, { mode: 0o600 });
  return {
    caCert: file("ca.crt"),
    caKey: file("ca.key"),
    serverCert: file("apiserver.crt"),
    serverKey: file("apiserver.key"),
    serviceAccountKey: file("sa.key"),
    serviceAccountPub: file("sa.pub"),
    tokenFile: file("tokens.csv"),
    adminToken,
  };
}
