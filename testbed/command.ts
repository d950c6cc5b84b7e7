import { spawn } from "node:child_process";

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each output line (stdout and stderr). */
  readonly log?: (line: string) => void;
}

/** Runs a command to completion; on failure the error carries the command and its last output lines. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    let partial = "";
    const collect = (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        options.log?.(line);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (error) => reject(new Error(`${command}: ${error.message}`)));
    child.once("close", (code) => {
      if (partial) output.push(partial);
      if (code === 0) resolve(output.join("\n"));
      else reject(new Error(`\`${command} ${args.join(" ")}\` exited with ${code}:\n${output.slice(-25).join("\n")}`));
    });
  });
}
