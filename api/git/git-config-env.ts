import type { EnvVar } from "../pipelines/step-env.js";

/** A git user identity; either part may be unset. */
export interface GitIdentity {
  readonly name?: string;
  readonly email?: string;
}

/**
 * Git settings as environment variables, never as shell text: the author/committer variables git reads for
 * commits, and the same values as config entries through GIT_CONFIG_COUNT/KEY_n/VALUE_n (git >= 2.31), so that
 * `git config user.name` and tools that ask for it see them too. Values reach git byte for byte.
 */
export function gitConfigEnv(identity: GitIdentity, extra: ReadonlyArray<readonly [key: string, value: string]> = []): EnvVar[] {
  const env: EnvVar[] = [];
  const config: Array<readonly [string, string]> = [];
  if (identity.name !== undefined) {
    env.push({ name: "GIT_AUTHOR_NAME", value: identity.name }, { name: "GIT_COMMITTER_NAME", value: identity.name });
    config.push(["user.name", identity.name]);
  }
  if (identity.email !== undefined) {
    env.push({ name: "GIT_AUTHOR_EMAIL", value: identity.email }, { name: "GIT_COMMITTER_EMAIL", value: identity.email });
    config.push(["user.email", identity.email]);
  }
  config.push(...extra);
  if (config.length === 0) return env;
  env.push({ name: "GIT_CONFIG_COUNT", value: String(config.length) });
  config.forEach(([key, value], i) => env.push({ name: `GIT_CONFIG_KEY_${i}`, value: key }, { name: `GIT_CONFIG_VALUE_${i}`, value: value }));
  return env;
}
