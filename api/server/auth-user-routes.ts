import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthUser } from "../../crds/types/index.js";
import type { KubeClient } from "../../reconcilers/index.js";
import { addSshKey, AUTH_USER, authUserUuidProblem, deleteSshKeySecrets, removeSshKey, updateAuthUser, upsertAuthUser } from "../auth-users/index.js";
import { readLimitedBody } from "./body.js";
import { replyJson, type ApiServer } from "./server.js";

export interface AuthUserRoutesOptions {
  client: KubeClient;
  /** Where the AuthUsers and their key Secrets live: the api's namespace. */
  namespace: string;
}

/** An SSH private key, with room for a long RSA key and its comment. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Orchest's /auth-users/ endpoints over AuthUser resources: the user, its git config (at most one, as in
 * Orchest) and its SSH keys (stored in Secrets; listed by uuid and name, the key itself never answered).
 * Answers and errors are Orchest's: `{message}` with 400 for a bad field, 404, 409. Bodies are never logged.
 */
export function registerAuthUserRoutes(server: ApiServer, { client, namespace }: AuthUserRoutesOptions): void {
  const withUser = (handler: (user: string, req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void>) => {
    return async (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => {
      const problem = authUserUuidProblem(params.user);
      if (problem) {
        req.resume();
        return replyJson(res, 400, { message: problem });
      }
      await handler(params.user!, req, res, params);
    };
  };

  server.route("POST", "/auth-users", async (req, res) => {
    const body = await jsonBody(req, res);
    if (!body) return;
    const problem = authUserUuidProblem(body.uuid);
    if (problem) return replyJson(res, 400, { message: problem });
    await upsertAuthUser(client, namespace, body.uuid as string);
    replyJson(res, 201, {});
  });

  server.route("DELETE", "/auth-users/:user", withUser(async (user, _req, res) => {
    // Its keys first, as Orchest did: answered 200, they are gone (the garbage collector would get there later).
    await deleteSshKeySecrets(client, namespace, user);
    await client.delete({ ...AUTH_USER, namespace, name: user });
    replyJson(res, 200, {});
  }));

  server.route("GET", "/auth-users/:user/git-configs", withUser(async (user, _req, res) => {
    const config = (await upsertAuthUser(client, namespace, user)).spec.gitConfig;
    replyJson(res, 200, { git_configs: config ? [config] : [] });
  }));

  server.route("POST", "/auth-users/:user/git-configs", withUser(async (user, req, res) => {
    const body = await identityBody(req, res);
    if (!body) return;
    const config = { uuid: randomUUID(), ...body };
    const result = await updateAuthUser(client, namespace, user, (spec) => (spec.gitConfig ? { refused: "Git config already exists for this user." } : { ...spec, gitConfig: config }));
    if ("refused" in result) return replyJson(res, 409, { message: result.refused });
    replyJson(res, 201, config);
  }));

  server.route("GET", "/auth-users/:user/git-configs/:config", withUser(async (user, _req, res, params) => {
    const config = (await upsertAuthUser(client, namespace, user)).spec.gitConfig;
    if (config?.uuid !== params.config) return replyJson(res, 404, { message: `No git config ${params.config}.` });
    replyJson(res, 200, config);
  }));

  server.route("PUT", "/auth-users/:user/git-configs/:config", withUser(async (user, req, res, params) => {
    const body = await identityBody(req, res);
    if (!body) return;
    const config = { uuid: params.config!, ...body };
    const result = await updateAuthUser(client, namespace, user, (spec) => (spec.gitConfig?.uuid === config.uuid ? { ...spec, gitConfig: config } : { refused: `No git config ${config.uuid}.` }));
    if ("refused" in result) return replyJson(res, 404, { message: result.refused });
    replyJson(res, 200, config);
  }));

  server.route("DELETE", "/auth-users/:user/git-configs/:config", withUser(async (user, _req, res, params) => {
    const resource = (await client.get({ ...AUTH_USER, namespace, name: user })) as unknown as AuthUser | undefined;
    if (!resource) return replyJson(res, 404, { message: `No user ${user}.` });
    await updateAuthUser(client, namespace, user, (spec) => {
      if (spec.gitConfig?.uuid !== params.config) return { refused: "another git config" };
      const { gitConfig: _, ...rest } = spec;
      return rest;
    });
    replyJson(res, 200, {});
  }));

  server.route("GET", "/auth-users/:user/ssh-keys", withUser(async (user, _req, res) => {
    const keys = (await upsertAuthUser(client, namespace, user)).spec.sshKeys ?? [];
    replyJson(res, 200, { ssh_keys: keys.map((key) => ({ uuid: key.uuid, name: key.name, auth_user_uuid: user })) });
  }));

  server.route("POST", "/auth-users/:user/ssh-keys", withUser(async (user, req, res) => {
    const body = await jsonBody(req, res);
    if (!body) return;
    if (typeof body.name !== "string") return replyJson(res, 400, { message: "Name is not a string." });
    if (typeof body.key !== "string") return replyJson(res, 400, { message: "Key is not a string." });
    const key = await addSshKey(client, namespace, user, body.name, body.key);
    replyJson(res, 201, { uuid: key.uuid, name: key.name, auth_user_uuid: user });
  }));

  server.route("DELETE", "/auth-users/:user/ssh-keys/:key", withUser(async (user, _req, res, params) => {
    await removeSshKey(client, namespace, user, params.key!);
    replyJson(res, 200, {});
  }));
}

/** The body as a JSON object, or undefined once the 400/413 naming the problem is answered. */
async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
  const read = await readLimitedBody(req, BODY_LIMIT_BYTES);
  if (!read.ok) {
    replyJson(res, read.status, { message: `body ${read.reason}` }, { connection: "close" });
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString("utf8"));
  } catch {
    // Not the parser's message: it may quote the body, which may hold a key.
    replyJson(res, 400, { message: "body is not valid JSON." });
    return undefined;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    replyJson(res, 400, { message: "body must be a JSON object." });
    return undefined;
  }
  return body as Record<string, unknown>;
}

/** {name, email}, both strings as Orchest required (not checked further, to behave as git config does). */
async function identityBody(req: IncomingMessage, res: ServerResponse): Promise<{ name: string; email: string } | undefined> {
  const body = await jsonBody(req, res);
  if (!body) return undefined;
  if (typeof body.name !== "string") return void replyJson(res, 400, { message: "Name is not a string." });
  if (typeof body.email !== "string") return void replyJson(res, 400, { message: "Email is not a string." });
  return { name: body.name, email: body.email };
}
