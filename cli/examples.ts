import { readFileSync } from "node:fs";
import { PACKAGE_ROOT } from "./paths.js";
import { join } from "node:path";
import { projectImages } from "../synth/index.js";

/**
 * The text of examples/`name` for a cluster whose nodes cannot pull this project's release image (the test
 * bed's): that image replaced by `projectImage`, where the cluster has it.
 */
export function exampleWithImage(name: string, projectImage: string): string {
  return readFileSync(join(PACKAGE_ROOT, "examples", name), "utf8").replaceAll(projectImages().project, projectImage);
}
