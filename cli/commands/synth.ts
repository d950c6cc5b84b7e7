/** `orchest synth`: manifests of a cluster file, offline (CI has no cluster). */
import { synth, toYaml, type ContainerRuntime } from "../../synth/index.js";
import { readClusterFile } from "../cluster-file.js";
import { UsageError } from "../errors.js";
import { oneOf, parse } from "../options.js";
import { writeSynthFolder } from "../synth-folder.js";
import { SYNTH_OPTIONS, SYNTH_USAGE } from "./usage.js";

const RUNTIMES: readonly ContainerRuntime[] = ["containerd", "docker"];

export async function synthCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, SYNTH_OPTIONS, SYNTH_USAGE);
  if (values.file === undefined) throw new UsageError(`-f is required: the OrchestCluster YAML file to synthesize (e.g. -f examples/orchestcluster.yaml)\nusage: ${SYNTH_USAGE}`);
  // Without a cluster the runtime is a given: every node is assumed to run it.
  const runtime = oneOf("--runtime", values.runtime, RUNTIMES, "containerd");
  const manifests = synth(readClusterFile(values.file), { nodes: [], defaultRuntime: runtime });
  if (values.output === undefined) {
    process.stdout.write(toYaml(manifests));
    return 0;
  }
  const files = writeSynthFolder(values.output, manifests);
  process.stderr.write(`wrote ${files.length} objects and kustomization.yaml to ${values.output}\n`);
  return 0;
}
