import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coversIdentity, issueRegistryTls, registryIdentity, tlsOfSecret } from "./registry-tls.js";

test("issues a registry certificate that openssl verifies against its CA, for every name of the Service", async (t) => {
  const identity = registryIdentity("docker-registry", "orchest", "10.0.0.42");
  const tls = await issueRegistryTls(identity);
  const dir = mkdtempSync(join(tmpdir(), "registry-tls-"));
  try {
    writeFileSync(join(dir, "ca.crt"), tls.caCertificate!);
    writeFileSync(join(dir, "tls.crt"), tls.certificate);
    writeFileSync(join(dir, "tls.key"), tls.privateKey);
    t.regex(execFileSync("openssl", ["verify", "-CAfile", join(dir, "ca.crt"), join(dir, "tls.crt")], { encoding: "utf8" }), /OK/);
    const text = execFileSync("openssl", ["x509", "-in", join(dir, "tls.crt"), "-noout", "-ext", "subjectAltName"], { encoding: "utf8" });
    for (const name of ["DNS:docker-registry.orchest.svc.cluster.local", "DNS:docker-registry.orchest", "IP Address:10.0.0.42"]) t.true(text.includes(name), name);
    // The key belongs to the certificate.
    const pub = (args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });
    t.is(pub(["pkey", "-in", join(dir, "tls.key"), "-pubout"]), pub(["x509", "-in", join(dir, "tls.crt"), "-noout", "-pubkey"]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a certificate that lacks the Service's new ClusterIP, or expires soon, no longer covers the registry", async (t) => {
  const tls = await issueRegistryTls(registryIdentity("docker-registry", "orchest"));
  t.true(coversIdentity(tls, registryIdentity("docker-registry", "orchest")));
  t.false(coversIdentity(tls, registryIdentity("docker-registry", "orchest", "10.0.0.7")));
  t.false(coversIdentity(tls, registryIdentity("docker-registry", "other")));
  t.false(coversIdentity(tls, registryIdentity("docker-registry", "orchest"), new Date(Date.now() + 5 * 365 * 86_400_000)));
});

test("reads the TLS material back from the Secret's base64 data, and nothing from an empty Secret", async (t) => {
  const tls = await issueRegistryTls(registryIdentity("docker-registry", "orchest"));
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const secret = { data: { "tls.crt": b64(tls.certificate), "tls.key": b64(tls.privateKey), "ca.crt": b64(tls.caCertificate!) } };
  t.deepEqual(tlsOfSecret(secret), tls);
  t.is(tlsOfSecret({}), undefined);
  t.is(tlsOfSecret(undefined), undefined);
});
