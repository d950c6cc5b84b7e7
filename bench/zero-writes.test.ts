import test from "ava";
import { startControlPlane } from "../testbed/index.js";
import { measureNoOps, zeroWritesCorpus } from "./zero-writes.js";

// Each source on a private control plane: its apiserver's write counter is ours alone.
for (const source of await zeroWritesCorpus()) {
  test(`zero requests per no-op reconcile: ${source.name}`, async (t) => {
    const cp = await startControlPlane();
    t.teardown(() => cp.stop());
    const result = await measureNoOps(cp.kubeConfig(), source.objects);
    t.deepEqual(result.rewritten, [], "objects written again after convergence");
    t.is(result.requestsPerNoOp, 0, "requests our client sent per no-op apply");
    t.is(result.serverWritesPerNoOp, 0, "writes the apiserver served per no-op apply");
  });
}
