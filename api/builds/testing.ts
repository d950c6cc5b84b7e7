// Test support: the api's build side on loopback (ImageBuild controller, build-log route), as api/main.ts wires it.
import type { KubeConfig } from "@kubernetes/client-node";
import { Manager, silentLogger, type KubeClient } from "../../reconcilers/index.js";
import { ApiServer } from "../server/server.js";
import { BuildLogs } from "./build-logs.js";
import { registerBuildLogRoutes } from "./log-routes.js";
import { podLogSource } from "./log-source.js";
import { addImageBuildController, IMAGE_BUILD } from "./reconciler.js";

export interface BuildsApi {
  readonly manager: Manager;
  /** Where GET /builds/:name/logs answers, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the controller and the route for `namespace`, with short retention, retry and drain for tests. */
export async function startBuildsApi(kubeConfig: KubeConfig, namespace: string): Promise<BuildsApi> {
  const manager = new Manager({ kubeConfig, name: "orchest-api-test", logger: silentLogger });
  addImageBuildController(manager, { podRetentionMs: 4_000 });
  const logs = new BuildLogs({ source: podLogSource(manager.client.transport), builds: manager.informers.informerFor(IMAGE_BUILD), retryMs: 500, drainMs: 1_000, keepEndedMs: 60_000 });
  const server = new ApiServer();
  registerBuildLogRoutes(server, logs, namespace);
  const port = (await server.listen("127.0.0.1", 0)).port;
  await manager.start();
  return {
    manager,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await logs.close();
      await manager.stop();
    },
  };
}

/** What the kubelet would do: kwok completes the Running pod a second after it carries the test bed's label. */
export function completePod(client: KubeClient, namespace: string, pod: string, exitCode: number): Promise<unknown> {
  const metadata = { labels: { "testbed.orchest.io/completes": "true" }, annotations: { "testbed.orchest.io/exit-code": String(exitCode) } };
  return client.patch({ apiVersion: "v1", kind: "Pod", namespace, name: pod }, { metadata }, "merge");
}
