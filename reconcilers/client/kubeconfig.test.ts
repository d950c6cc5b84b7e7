import { CertificatesV1Api, CoreV1Api } from "@kubernetes/client-node";
import test, { type ExecutionContext } from "ava";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { createTestNamespace, useTestbed } from "../../testbed/index.js";
import { tempDir } from "../../testbed/temp-dir.js";
import { waitFor } from "../testing.js";

const PROBE = join(import.meta.dirname, "testing", "kubeconfig-probe.js");

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the probe with `env` as its whole Kubernetes environment (no KUBECONFIG nor service address unless given). */
function probe(env: Record<string, string>, args: readonly string[]): Promise<Outcome> {
  const { KUBECONFIG: _k, KUBERNETES_SERVICE_HOST: _h, KUBERNETES_SERVICE_PORT: _p, ...rest } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, ...args], { env: { ...rest, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: stdout.trim(), stderr }));
  });
}

/** A folder with no ~/.kube/config for HOME, removed after the test. */
const home = (t: ExecutionContext) => tempDir(t, "kubeconfig-test");

/** The test bed's kubeconfig, parsed: its cluster entry carries the server and the CA. */
async function testbedConfig(): Promise<{ server: string; caData: string; kubeconfigPath: string }> {
  const tb = await useTestbed();
  const doc = YAML.parse(readFileSync(tb.kubeconfigPath, "utf8"));
  const cluster = doc.clusters[0].cluster;
  return { server: cluster.server, caData: cluster["certificate-authority-data"], kubeconfigPath: tb.kubeconfigPath };
}

function writeConfig(dir: string, server: string, caData: string, user: Record<string, unknown>): string {
  const path = join(dir, "config");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, "certificate-authority-data": caData } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    "current-context": "ctx",
  };
  writeFileSync(path, YAML.stringify(config));
  return path;
}

test("a kubeconfig with a bearer token is read without client-node, and the apiserver sees its user", async (t) => {
  const { kubeconfigPath } = await testbedConfig();
  const outcome = await probe({ KUBECONFIG: kubeconfigPath, HOME: home(t) }, ["--refuse-client-node"]);
  t.deepEqual(outcome, { code: 0, stdout: "admin", stderr: "" });
});

test("a client certificate and key named by paths relative to the kubeconfig are read without client-node", async (t) => {
  const tb = await useTestbed();
  const { server, caData } = await testbedConfig();
  const dir = home(t);
  const user = `kubeconfig-reader-${process.pid}`;
  await promisify(execFile)("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "user.key"), "-out", join(dir, "user.csr"), "-subj", `/CN=${user}`]);
  // The controller-manager signs it, as for any client of a real cluster that asks through the CSR API.
  const certificates = tb.kubeConfig.makeApiClient(CertificatesV1Api);
  const name = user;
  await certificates.createCertificateSigningRequest({
    body: {
      metadata: { name },
      spec: { request: readFileSync(join(dir, "user.csr")).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"] },
    },
  });
  t.teardown(() => certificates.deleteCertificateSigningRequest({ name }).then(() => undefined, () => undefined));
  const csr = await certificates.readCertificateSigningRequest({ name });
  csr.status = { conditions: [{ type: "Approved", status: "True", reason: "Test", message: "kubeconfig.test.ts" }] };
  await certificates.replaceCertificateSigningRequestApproval({ name, body: csr });
  let certificate = "";
  await waitFor("the CSR signed", async () => {
    certificate = (await certificates.readCertificateSigningRequest({ name })).status?.certificate ?? "";
    return certificate !== "";
  }, 60_000, 200);
  writeFileSync(join(dir, "user.crt"), Buffer.from(certificate, "base64"));
  const config = writeConfig(dir, server, caData, { "client-certificate": "user.crt", "client-key": "user.key" });
  const outcome = await probe({ KUBECONFIG: config, HOME: dir }, ["--refuse-client-node"]);
  t.deepEqual(outcome, { code: 0, stdout: user, stderr: "" });
});

test("in a pod: the service account's token file and CA, and the kubernetes Service's address from the environment", async (t) => {
  const tb = await useTestbed();
  const { server, caData } = await testbedConfig();
  const namespace = await createTestNamespace(tb.kubeConfig, "kubeconfig");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  t.teardown(() => core.deleteNamespace({ name: namespace }).then(() => undefined, () => undefined));
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "reader" } } });
  const token = await core.createNamespacedServiceAccountToken({ namespace, name: "reader", body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const dir = home(t);
  const serviceAccountDir = join(dir, "serviceaccount");
  mkdirSync(serviceAccountDir);
  writeFileSync(join(serviceAccountDir, "token"), token.status!.token);
  writeFileSync(join(serviceAccountDir, "ca.crt"), Buffer.from(caData, "base64"));
  const url = new URL(server);
  const outcome = await probe({ HOME: dir, KUBERNETES_SERVICE_HOST: url.hostname.replace(/^\[|\]$/g, ""), KUBERNETES_SERVICE_PORT: url.port || "443" }, ["--refuse-client-node", serviceAccountDir]);
  t.deepEqual(outcome, { code: 0, stdout: `system:serviceaccount:${namespace}:reader`, stderr: "" });
});

test("an exec plugin is left to client-node, which runs it", async (t) => {
  const tb = await useTestbed();
  const { server, caData } = await testbedConfig();
  const token = (YAML.parse(readFileSync(tb.kubeconfigPath, "utf8")).users[0].user as { token: string }).token;
  const dir = home(t);
  const credential = JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token } });
  const config = writeConfig(dir, server, caData, {
    exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", `printf '%s' '${credential}'`], interactiveMode: "Never" },
  });
  t.deepEqual(await probe({ KUBECONFIG: config, HOME: dir }, []), { code: 0, stdout: "admin", stderr: "" });
  const refused = await probe({ KUBECONFIG: config, HOME: dir }, ["--refuse-client-node"]);
  t.not(refused.code, 0);
  t.regex(refused.stderr, /imported @kubernetes\/client-node/);
});

test("a current-context that names no context fails with the field and the fix", async (t) => {
  const { server, caData } = await testbedConfig();
  const dir = home(t);
  const config = writeConfig(dir, server, caData, { token: "unused" });
  writeFileSync(config, readFileSync(config, "utf8").replace("current-context: ctx", "current-context: gone"));
  const outcome = await probe({ KUBECONFIG: config, HOME: dir }, []);
  t.not(outcome.code, 0);
  t.true(outcome.stderr.includes(`kubeconfig ${config}: current-context "gone" is not in contexts: run kubectl config use-context with one of: ctx`), outcome.stderr);
});
