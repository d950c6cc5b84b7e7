import { spawnSync } from "node:child_process";
import { run } from "./command.js";
import { timed, type Log } from "./progress.js";

function installed(pkg: string): boolean {
  const query = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return query.status === 0 && query.stdout.includes("install ok installed");
}

/** Installs the Debian packages the test bed runs (containerd, docker-registry, ...) when they are missing. */
export async function ensureDebianPackages(packages: readonly string[], log: Log): Promise<void> {
  const missing = packages.filter((pkg) => !installed(pkg));
  if (missing.length === 0) return;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = async (...args: string[]) => {
    const [command, ...rest] = [...sudo, "apt-get", ...args];
    await run(command!, rest, { env, log: (line) => log(`  apt: ${line}`) });
  };
  await timed(log, `installing Debian packages: ${missing.join(", ")}`, async () => {
    try {
      await apt("update", "-q");
      await apt("install", "-y", "-q", "--no-install-recommends", ...missing);
    } catch (error) {
      throw new Error(
        `could not install ${missing.join(", ")} with apt-get (${(error as Error).message}).\n` +
          `Fix: run \`sudo apt-get install -y ${missing.join(" ")}\` and try again.`,
      );
    }
  });
}
