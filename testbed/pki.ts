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
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
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

const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface CertificateRequest {
  /** File names in the folder: NAME.crt and NAME.key. */
  readonly name: string;
  /** e.g. "/CN=system:node:n1/O=system:nodes": Kubernetes reads the user from CN and groups from O. */
  readonly subject: string;
  readonly usage: "serverAuth" | "clientAuth";
  /** For serving certificates: "IP:10.0.0.1", "DNS:name". */
  readonly altNames?: readonly string[];
}

/** Issues a certificate signed by the test bed's CA; returns the paths of the certificate and its key. */
export async function issueCertificate(ca: Pick<Pki, "caCert" | "caKey">, outDir: string, request: CertificateRequest): Promise<{ cert: string; key: string }> {
  const out = (ext: string) => join(outDir, `${request.name}.${ext}`);
  await run("openssl", ["req", "-new", ...ec, "-keyout", out("key"), "-out", out("csr"), "-subj", request.subject]);
  const ext = [`extendedKeyUsage=${request.usage}`, ...(request.altNames?.length ? [`subjectAltName=${request.altNames.join(",")}`] : [])];
  writeFileSync(out("ext"), `${ext.join("\n")}\n`);
  await run("openssl", [
    "x509", "-req", "-in", out("csr"), "-CA", ca.caCert, "-CAkey", ca.caKey, "-set_serial", `0x${randomBytes(16).toString("hex")}`,
    "-out", out("crt"), "-days", "3650", "-extfile", out("ext"),
  ]);
  return { cert: out("crt"), key: out("key") };
}

/**
 * Creates the PKI with openssl (EC P-256 keys: fast to make, accepted by every component). `altNames` are
 * further names of the apiserver (the address real nodes reach it on, its Service's ClusterIP).
 */
export async function createPki(dir: string, altNames: readonly string[] = []): Promise<Pki> {
  const file = (name: string) => join(dir, name);
  await run("openssl", ["req", "-x509", ...ec, "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "3650", "-subj", "/CN=orchest-testbed-ca"]);
  const ca = { caCert: file("ca.crt"), caKey: file("ca.key") };
  await issueCertificate(ca, dir, { name: "apiserver", subject: "/CN=kube-apiserver", usage: "serverAuth", altNames: [...apiserverNames, ...altNames] });
  // The apiserver's identity towards kubelets (pods/log, exec): allowed everything, as kubeadm's is.
  await issueCertificate(ca, dir, { name: "apiserver-kubelet-client", subject: "/CN=kube-apiserver-kubelet-client/O=system:masters", usage: "clientAuth" });
  await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("sa.key")]);
  await run("openssl", ["ec", "-in", file("sa.key"), "-pubout", "-out", file("sa.pub")]);
  const adminToken = randomBytes(24).toString("hex");
  writeFileSync(file("tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n`, { mode: 0o600 });
  return {
    caCert: file("ca.crt"),
    caKey: file("ca.key"),
    serverCert: file("apiserver.crt"),
    serverKey: file("apiserver.key"),
    kubeletClientCert: file("apiserver-kubelet-client.crt"),
    kubeletClientKey: file("apiserver-kubelet-client.key"),
    serviceAccountKey: file("sa.key"),
    serviceAccountPub: file("sa.pub"),
    tokenFile: file("tokens.csv"),
    adminToken,
  };
}
