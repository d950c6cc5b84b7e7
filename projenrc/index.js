// The projen project type behind projen.json. projen's JSON rc can only pass a project type's options,
// and TypeScriptProject has no option for tasks, so this type adds two: `tasks` and `packageFields`.
// `.jsii` beside this file describes the type to projen's loader (it discovers project types that way).
const { typescript } = require("projen");

class OrchestProject extends typescript.TypeScriptProject {
  constructor(options) {
    super(options);
    // projen's ProjenrcJson sets FILENAME on the default task, but its runner reads PROJENRC_FILE.
    const rc = options.projenrcJsonOptions?.filename;
    if (rc) this.defaultTask?.env("PROJENRC_FILE", rc);
    for (const [field, value] of Object.entries(options.packageFields ?? {})) {
      this.package.addField(field, value);
    }
    for (const [name, spec] of Object.entries(options.tasks ?? {})) {
      const task = this.tasks.tryFind(name) ?? this.addTask(name);
      if (spec.reset) task.reset();
      if (spec.description) task.description = spec.description;
      for (const [key, value] of Object.entries(spec.env ?? {})) task.env(key, value);
      for (const step of spec.steps ?? []) {
        if (typeof step === "string") task.exec(step);
        else if (step.exec) task.exec(step.exec, { receiveArgs: step.receiveArgs });
        else if (step.spawn) task.spawn(this.tasks.tryFind(step.spawn));
      }
    }
  }
}

module.exports = { OrchestProject };
