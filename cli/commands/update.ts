/**
 * `orchest update`: moves spec.orchest.version forward, and only that field,
 * so custom images stay as they are. Downgrades are refused: Orchest's
 * database migrations only run forward.
 */
import { DEFAULT_ORCHEST_VERSION, isCalVer } from "../../synth/index.js";
import { compareCalVer } from "../calver.js";
import { CliError, UsageError } from "../errors.js";
import { Kube } from "../kube.js";
import { duration, parse } from "../options.js";
import { requireCluster, resolveCluster } from "../target.js";
import { waitForReady } from "../wait.js";
import { UPDATE_OPTIONS, UPDATE_USAGE } from "./usage.js";

export async function updateCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, UPDATE_OPTIONS, UPDATE_USAGE, 1);
  const target = values.version ?? DEFAULT_ORCHEST_VERSION;
  if (!isCalVer(target)) {
    throw new UsageError(`--version "${target}" is not a CalVer version vYYYY.MM.N: use a leading v, a four-digit year, a two-digit month and a patch number, e.g. --version ${DEFAULT_ORCHEST_VERSION}`);
  }
  const timeoutMs = duration("--timeout", values.timeout, 600_000);
  const kube = new Kube();
  const key = await resolveCluster(kube, positionals[0], values.namespace);
  const cluster = await requireCluster(kube, key);
  const current = cluster.spec?.orchest?.version ?? cluster.status?.version ?? DEFAULT_ORCHEST_VERSION;
  const order = isCalVer(current) ? compareCalVer(target, current) : 1;
  if (order < 0) {
    throw new CliError(
      `refusing to downgrade ${key.name} from ${current} (current) to ${target}: Orchest's database migrations only run forward. ` +
        `Pick a version at or after ${current}, or restore a backup taken before ${current}.`,
    );
  }
  if (order === 0) {
    process.stdout.write(`${key.name} is already at ${current}; nothing to do.\n`);
    return 0;
  }
  await kube.patchCluster(key, { spec: { orchest: { version: target } } });
  process.stdout.write(`${key.name}: spec.orchest.version ${current} -> ${target}; custom images are kept. The operator rolls components one by one.\n`);
  if (values.wait) await waitForReady(kube, key, { timeoutMs, progress: (l) => process.stderr.write(`${l}\n`) });
  return 0;
}
