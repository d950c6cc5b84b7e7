import { sleep } from "../backoff.js";
import { refOf, type KubeObject } from "../client/object.js";
import type { LiveReader } from "./live.js";

/** Instances of a CRD can be created only once the CRD is Established; live state says so at no cost. */
export async function waitEstablished(live: LiveReader, crds: readonly KubeObject[]): Promise<void> {
  for (const crd of crds) {
    for (let i = 0; i < 300; i++) {
      if (isEstablished(await live.get(refOf(crd)))) break;
      await sleep(100);
    }
  }
}

function isEstablished(crd: KubeObject | undefined): boolean {
  const status = crd?.status;
  if (status === null || typeof status !== "object" || !("conditions" in status) || !Array.isArray(status.conditions)) return false;
  return status.conditions.some((c: { type?: string; status?: string }) => c.type === "Established" && c.status === "True");
}
