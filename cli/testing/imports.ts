/**
 * Test support: which modules a run of the `orchest` CLI loaded. This file is
 * both the module-customization hooks (`initialize` takes the file to record
 * in, `resolve` appends each resolved URL) and the helper that runs the CLI
 * with them registered.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess, type ProcessResult } from "../testing.js";

let record: string | undefined;

/** Hook: called once on Node's hooks thread with the data given to register(). */
export function initialize(data: { readonly record: string }): void {
  record = data.record;
}

type NextResolve = (specifier: string, context: object) => Promise<{ url: string }>;

/** Hook: records every module URL the process resolves. */
export async function resolve(specifier: string, context: object, next: NextResolve): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  if (record) appendFileSync(record, `${resolved.url}\n`);
  return resolved;
}

const MAIN = fileURLToPath(new URL("../main.js", import.meta.url));

/** Runs `orchest ...args` and returns what it printed and every module URL it resolved. */
export async function orchestImports(...args: string[]): Promise<ProcessResult & { readonly imports: readonly string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "orchest-imports-"));
  const file = join(dir, "imports");
  const register = `import{register}from"node:module";register(${JSON.stringify(import.meta.url)},{data:${JSON.stringify({ record: file })}})`;
  try {
    const result = await runProcess(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, MAIN, ...args]);
    return { ...result, imports: readFileSync(file, "utf8").split("\n").filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
