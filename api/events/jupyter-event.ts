import { OrchestEvent, type EventInit, type Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import type { RunStatus } from "./statuses.js";

export interface JupyterImageBuild {
  uuid: string;
  status: RunStatus;
}

type JupyterImageBuildEventType = EventTypeUnder<"jupyter:image-build:">;

/** The JupyterLab image is per install, not per project: this branch hangs off the root. */
export class JupyterImageBuildEvent<T extends JupyterImageBuildEventType = JupyterImageBuildEventType> extends OrchestEvent<T> {
  readonly imageBuild: JupyterImageBuild;

  constructor(init: EventInit<T> & { imageBuild: JupyterImageBuild }) {
    super(init);
    this.imageBuild = init.imageBuild;
  }

  protected override layers(): Layer[] {
    const { uuid, status } = this.imageBuild;
    return [
      ...super.layers(),
      { path: ["jupyter", "image_build"], notification: { uuid, status }, telemetryFields: ["uuid", "status"], derived: {} },
    ];
  }
}
