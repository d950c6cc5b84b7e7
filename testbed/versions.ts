import { readFileSync } from "node:fs";

export interface GoTool {
  readonly module: string;
  readonly version: string;
  /** k8s.io/kubernetes only: the version of its k8s.io/* staging modules. */
  readonly stagingVersion?: string;
  /**
   * Apply the module's own replace directives: `go build` ignores them in a dependency, and some modules
   * (cri-dockerd) only build with them.
   */
  readonly inheritReplaces?: boolean;
  /** Binary name → Go package that builds it. */
  readonly packages: Readonly<Record<string, string>>;
}

export interface Versions {
  readonly go: { readonly minimum: string };
  readonly tools: Readonly<Record<string, GoTool>>;
  readonly debian: readonly string[];
}

/** The pinned versions in testbed/versions.json (read from the source tree; lib/ sits beside it). */
export const versions: Versions = JSON.parse(readFileSync(new URL("../../testbed/versions.json", import.meta.url), "utf8"));
