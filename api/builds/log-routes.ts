import type { ApiServer } from "../server/server.js";
import type { BuildLogs } from "./build-logs.js";
import { serveBuildLog } from "./log-handler.js";

/** GET /builds/:name/logs on the api's server: the log of an ImageBuild of the api's namespace, followed unless ?follow=false. */
export function registerBuildLogRoutes(server: ApiServer, logs: BuildLogs, namespace: string): void {
  server.route("GET", "/builds/:name/logs", (req, res, params) => serveBuildLog(logs, namespace, params.name!, req, res));
}
