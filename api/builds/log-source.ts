import { createInterface } from "node:readline";
import type { Transport } from "../../reconcilers/index.js";

/** Where a container's log comes from. */
export interface LogSource {
  /** The lines of the container's log from its start, following it until the container ends; throws when the log cannot be read. */
  follow(namespace: string, pod: string, container: string, signal: AbortSignal): AsyncIterable<string>;
  /** The lines of the container's log so far, without waiting for more. */
  read(namespace: string, pod: string, container: string): Promise<string[]>;
}

/** The Kubernetes API's pods/log (follow=true to follow): the kubelet streams the log through the apiserver. */
export function podLogSource(transport: Transport): LogSource {
  async function* lines(namespace: string, pod: string, container: string, follow: boolean, signal?: AbortSignal): AsyncGenerator<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    const res = await transport.stream(path, { query: { follow, container }, ...(signal ? { signal } : {}) });
    try {
      for await (const line of createInterface({ input: res, crlfDelay: Infinity })) yield line;
    } finally {
      res.destroy();
    }
  }
  return {
    follow: (namespace, pod, container, signal) => lines(namespace, pod, container, true, signal),
    async read(namespace, pod, container) {
      const read: string[] = [];
      for await (const line of lines(namespace, pod, container, false)) read.push(line);
      return read;
    },
  };
}
