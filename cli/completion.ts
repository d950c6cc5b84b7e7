/**
 * Shell completion, the way cobra (kubectl, helm) does it: the command
 * completes its own words (`orchest __complete WORD... PARTIAL`, answering
 * one candidate a line and `:DIRECTIVE` last), and the bash and zsh scripts
 * only ask it. kubectl runs the same protocol for plugins through a
 * `kubectl_complete-orchest` executable, so `kubectl orchest <TAB>` works too.
 * Candidates come from each command's parseArgs options and usage line.
 */
import type { Options } from "./options.js";

/** What completion knows of a command. */
export interface CompletableCommand {
  readonly summary: string;
  /** The usage line; `--flag a|b` there lists a flag's values. */
  readonly usage: string;
  readonly options: Options;
  /** Words completed as the first argument (e.g. the shells of `completion`). */
  readonly positionals?: readonly string[];
}

/** cobra's ShellCompDirective bits that matter here. */
const DIRECTIVE = { default: 0, noFileComp: 4 } as const;

/** The placeholder of a flag's value in a usage line: `-o table|json|yaml` gives "table|json|yaml". */
function placeholderOf(usage: string, name: string, short: string | undefined): string | undefined {
  const flag = short === undefined ? `--${name}` : `(?:--${name}|-${short})`;
  return new RegExp(`${flag}[ =]([^\\]\\s]+)`).exec(usage)?.[1];
}

/** The cobra-format answer for `words` (the last one is the word being completed, maybe empty). */
export function complete(commands: Readonly<Record<string, CompletableCommand>>, words: readonly string[]): string {
  const partial = words.at(-1) ?? "";
  const answer = (candidates: ReadonlyArray<readonly [string, string?]>, directive: number = DIRECTIVE.noFileComp) =>
    [...candidates.filter(([c]) => c.startsWith(partial)).map(([c, d]) => (d ? `${c}\t${d}` : c)), `:${directive}`].join("\n") + "\n";

  if (words.length <= 1) return answer(Object.entries(commands).map(([name, c]) => [name, c.summary]));
  const command = commands[words[0]!];
  if (!command) return answer([]);
  const flags = Object.entries(command.options);
  const previous = words.at(-2)!;
  const valued = flags.find(([name, o]) => o.type === "string" && (previous === `--${name}` || (o.short !== undefined && previous === `-${o.short}`)));
  if (valued) {
    const placeholder = placeholderOf(command.usage, valued[0], valued[1].short);
    if (placeholder?.includes("|")) return answer(placeholder.split("|").map((c) => [c]));
    // A file name (cluster.yaml) or a folder (DIR): let the shell complete paths.
    return answer([], placeholder && /\.|^DIR$/.test(placeholder) ? DIRECTIVE.default : DIRECTIVE.noFileComp);
  }
  if (partial.startsWith("-")) return answer(flags.map(([name]) => [`--${name}`]));
  return answer((command.positionals ?? []).map((p) => [p]));
}

/** The bash script: `source <(orchest completion bash)`. */
export function bashScript(program: string): string {
  return `# bash completion for ${program} and kubectl-${program}. Load it with: source <(${program} completion bash)
_${program}_complete() {
  local IFS=$'\\n' directive
  local -a out
  out=($(${program} __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  directive=\${out[-1]#:}
  unset 'out[-1]'
  COMPREPLY=(\${out[@]%%$'\\t'*})
  if [[ \${#COMPREPLY[@]} -eq 0 && $(( directive & ${DIRECTIVE.noFileComp} )) -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
  fi
}
complete -F _${program}_complete ${program} kubectl-${program}
`;
}

/** The zsh script: `source <(orchest completion zsh)` (after compinit), or saved as _orchest in $fpath. */
export function zshScript(program: string): string {
  return `#compdef ${program} kubectl-${program}
# zsh completion for ${program} and kubectl-${program}. Load it with: source <(${program} completion zsh)
_${program}() {
  local -a out candidates
  out=("\${(@f)$(${program} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  local directive=\${out[-1]#:}
  candidates=("\${(@)\${(@)out[1,-2]//:/\\\\:}//$'\\t'/:}")
  if (( \${#candidates} )); then
    _describe '${program}' candidates
  elif (( (directive & ${DIRECTIVE.noFileComp}) == 0 )); then
    _files
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _${program} "$@"; else compdef _${program} ${program} kubectl-${program}; fi
`;
}
