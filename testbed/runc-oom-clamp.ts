// dockerd's runtime on the test bed's docker nodes: runc, with the container's oom_score_adj raised to no less
// than this process's own. This machine refuses a lower oom_score_adj (no CAP_SYS_RESOURCE), and cri-dockerd asks
// for -998 for every pod sandbox, so without this every sandbox fails with "can't get final child's PID from
// pipe". containerd has this built in (restrict_oom_score_adj); docker 20.10 only does it when rootless.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const floor = Number(readFileSync("/proc/self/oom_score_adj", "utf8").trim());

/** The OCI files whose process runc starts: the bundle's config.json (create, run) or exec's --process file. */
function processFiles(): string[] {
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    if (at >= 0) return args[at + 1];
    return args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const bundle = value("--bundle") ?? value("-b");
  return [bundle && join(bundle, "config.json"), value("--process") ?? value("-p")].filter((file): file is string => !!file);
}

for (const file of processFiles()) {
  const spec = JSON.parse(readFileSync(file, "utf8"));
  const holder = spec.process ?? spec;
  if (typeof holder.oomScoreAdj === "number" && holder.oomScoreAdj < floor) {
    holder.oomScoreAdj = floor;
    writeFileSync(file, JSON.stringify(spec));
  }
}

const runc = spawnSync("runc", args, { stdio: "inherit" });
process.exit(runc.status ?? 1);
