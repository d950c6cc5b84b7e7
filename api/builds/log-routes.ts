import type { ApiServer } from "../server/server.js";
import type { BuildLogs } from "./build-logs.js";
import { streamBuildLog } from "./log-handler.js";

/** GET /builds/:name/logs on the api's server: the live log of an ImageBuild of the api's namespace. */
export function registerBuildLogRoutes(server: ApiServer, logs: BuildLogs, namespace: string): void {
  server.route("GET", "/builds/:name/logs", (req, res, params) => streamBuildLog(logs, namespace, params.name!, req, res));
}
