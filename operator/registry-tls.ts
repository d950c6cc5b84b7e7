// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import type { RegistryTls } from "../synth/index.js";

x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates are renewed when they would expire within this time. */
const RENEW_BEFORE_MS = 30 * DAY_MS;

/** The names the in-cluster registry is reached by: its Service's DNS names and, once allocated, its ClusterIP. */
export interface RegistryIdentity {
  readonly dnsNames: readonly string[];
  readonly ips: readonly string[];
}

export function registryIdentity(service: string, namespace: string, clusterIP?: string): RegistryIdentity {
  const dnsNames = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  return { dnsNames, ips: clusterIP && clusterIP !== "None" ? [clusterIP] : [] };
}

/** The TLS material a registry Secret holds (tls.crt, tls.key, ca.crt), or undefined when it holds none. */
export function tlsOfSecret(secret: { data?: Record<string, string> } | undefined): RegistryTls | undefined {
  const data = secret?.data;
  if (!data?.["tls.crt"] || !data["tls.key"]) return undefined;
  const text = (key: string) => Buffer.from(data[key]!, "base64").toString("utf8");
  return { certificate: text("tls.crt"), privateKey: text("tls.key"), ...(data["ca.crt"] ? { caCertificate: text("ca.crt") } : {}) };
}

/** Whether the certificate names every name of the identity and is not about to expire. */
export function coversIdentity(tls: RegistryTls, identity: RegistryIdentity, now = new Date()): boolean {
  try {
    const cert = new x509.X509Certificate(tls.certificate);
    if (cert.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
    const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
    const has = (type: string, value: string) => names.some((n) => n.type === type && n.value === value);
    return identity.dnsNames.every((d) => has("dns", d)) && identity.ips.every((ip) => has("ip", ip));
  } catch {
    return false;
  }
}

async function pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g)!;
  return ["-----BEGIN PRIVATE KEY-----", ...lines, "-----END PRIVATE KEY-----", ""].join("\n");
}

/**
 * A CA and a serving certificate for the registry, signed by it (ECDSA P-256). Nodes and components trust the
 * CA (ca.crt); the registry serves tls.crt. Orchest did the same with a self-signed certificate.
 */
export async function issueRegistryTls(identity: RegistryIdentity, now = new Date()): Promise<RegistryTls> {
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: "CN=orchest-registry-ca",
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (Date.now() + 1).toString(16),
    subject: `CN=${identity.dnsNames[0]}`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 5 * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...identity.dnsNames.map((value) => ({ type: "dns" as const, value })), ...identity.ips.map((value) => ({ type: "ip" as const, value }))]),
    ],
  });
  return { certificate: cert.toString("pem") + "\n", privateKey: await pem(keys.privateKey), caCertificate: ca.toString("pem") + "\n" };
}
