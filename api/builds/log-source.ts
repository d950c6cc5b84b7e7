import { createInterface } from "node:readline";
import type { Transport } from "../../reconcilers/index.js";

/** Where a container's log comes from. */
export interface LogSource {
  /** The lines of the container's log from its start, following it until the container ends; throws when the log cannot be read. */
  follow(namespace: string, pod: string, container: string, signal: AbortSignal): AsyncIterable<string>;
}

/** The Kubernetes API's pods/log with follow=true: the kubelet streams the log through the apiserver. */
export function podLogSource(transport: Transport): LogSource {
  return {
    async *follow(namespace, pod, container, signal) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
      const res = await transport.stream(path, { query: { follow: true, container }, signal });
      try {
        for await (const line of createInterface({ input: res, crlfDelay: Infinity })) yield line;
      } finally {
        res.destroy();
      }
    },
  };
}
