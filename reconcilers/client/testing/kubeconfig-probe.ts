// Test support: prints the user the apiserver takes this process for, with the kubeconfig read as the programs
// read it (loadKubeConfig, from this process's environment). `--refuse-client-node`: any import of client-node
// fails, so the answer shows the reading needed none. [service account folder] replaces the pod's default.
import { register } from "node:module";

const args = process.argv.slice(2);
if (args[0] === "--refuse-client-node") {
  args.shift();
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier.startsWith("@kubernetes/client-node")) throw new Error("imported @kubernetes/client-node");
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
// Imported only now, so that the hook sees every import of the code under test.
const { KubeClient } = await import("../client.js");
const { loadKubeConfig } = await import("../kubeconfig.js");
const client = new KubeClient(await loadKubeConfig(args[0] ? { serviceAccountDir: args[0] } : {}));
try {
  const review = await client.transport.request<{ status: { userInfo: { username: string } } }>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  process.stdout.write(`${review.status.userInfo.username}\n`);
} finally {
  client.close();
}
