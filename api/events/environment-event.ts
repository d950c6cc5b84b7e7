import type { Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import { ProjectEvent, type ProjectEventInit } from "./project-event.js";
import type { RunStatus } from "./statuses.js";

export interface Environment {
  uuid: string;
  name: string;
}

export interface EnvironmentImageBuild {
  imageTag: number;
  status: RunStatus;
  /** Whatever the user typed: an Orchest image or any other reference. */
  baseImage: string;
}

type EnvironmentEventType = EventTypeUnder<"project:environment:">;
type ImageBuildEventType = EventTypeUnder<"project:environment:image-build:">;

export class EnvironmentEvent<T extends EnvironmentEventType = EnvironmentEventType> extends ProjectEvent<T> {
  readonly environment: Environment;

  constructor(init: ProjectEventInit<T> & { environment: Environment }) {
    super(init);
    this.environment = init.environment;
  }

  protected override layers(): Layer[] {
    const { uuid, name } = this.environment;
    return [
      ...super.layers(),
      { path: ["project", "environment"], notification: { uuid, name }, telemetryFields: ["uuid"], derived: {} },
    ];
  }
}

export class EnvironmentImageBuildEvent<T extends ImageBuildEventType = ImageBuildEventType> extends EnvironmentEvent<T> {
  readonly imageBuild: EnvironmentImageBuild;

  constructor(init: ProjectEventInit<T> & { environment: Environment; imageBuild: EnvironmentImageBuild }) {
    super(init);
    this.imageBuild = init.imageBuild;
  }

  protected override layers(): Layer[] {
    const { imageTag, status, baseImage } = this.imageBuild;
    return [
      ...super.layers(),
      {
        path: ["project", "environment", "image_build"],
        notification: { image_tag: imageTag, status, base_image: baseImage },
        telemetryFields: ["image_tag", "status"],
        // Whether Orchest's base images are used is what matters; the reference itself may be private.
        derived: { uses_orchest_base_image: baseImage.startsWith("orchest/") },
      },
    ];
  }
}
