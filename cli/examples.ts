import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { projectImages } from "../synth/index.js";
import { REAL_NODE_LABEL } from "../testbed/real-node.js";
import { PACKAGE_ROOT } from "./paths.js";

/**
 * The text of examples/`name` for the embedded platform's test bed: this project's release image, which no node
 * there can pull, replaced by `projectImage`, where the test bed has it; and the example's own pods kept off the
 * simulated nodes (there only for Orchest's Python components, whose images cannot be pulled either).
 */
export function exampleForTestbed(name: string, projectImage: string): string {
  const text = readFileSync(join(PACKAGE_ROOT, "examples", name), "utf8").replaceAll(projectImages().project, projectImage);
  const documents = YAML.parseAllDocuments(text);
  for (const document of documents) {
    if (document.get("kind") !== "Pod") continue;
    document.setIn(["spec", "nodeSelector", REAL_NODE_LABEL], "true");
  }
  return documents.map((document) => document.toString()).join("");
}
