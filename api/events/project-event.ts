import { OrchestEvent, type EventInit, type EventScope, type Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";

export interface Project {
  uuid: string;
  name: string;
}

export type ProjectEventInit<T extends EventTypeUnder<"project:">> = EventInit<T> & { project: Project };

export class ProjectEvent<T extends EventTypeUnder<"project:"> = EventTypeUnder<"project:">> extends OrchestEvent<T> {
  readonly project: Project;

  constructor(init: ProjectEventInit<T>) {
    super(init);
    this.project = init.project;
  }

  override get scope(): EventScope {
    return { projectUuid: this.project.uuid };
  }

  protected override layers(): Layer[] {
    const { uuid, name } = this.project;
    return [...super.layers(), { path: ["project"], notification: { uuid, name }, telemetryFields: ["uuid"], derived: {} }];
  }
}
