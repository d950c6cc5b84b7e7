/** `orchest version`: what this CLI installs (offline; no cluster needed). */
import { DEFAULT_ORCHEST_VERSION } from "../../synth/index.js";
import { OPERATOR_DEFAULTS, OPERATOR_VERSION } from "../../synth/operator/index.js";
import { oneOf, parse } from "../options.js";
import { VERSION_OPTIONS, VERSION_USAGE } from "./usage.js";

export async function versionCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, VERSION_OPTIONS, VERSION_USAGE);
  const info = { cli: OPERATOR_VERSION, operatorImage: OPERATOR_DEFAULTS.image, orchest: DEFAULT_ORCHEST_VERSION };
  if (oneOf("-o", values.output, ["text", "json"] as const, "text") === "json") process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  else process.stdout.write(`orchest ${info.cli}\noperator image: ${info.operatorImage}\ndefault Orchest version: ${info.orchest}\n`);
  return 0;
}
