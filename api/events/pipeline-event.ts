import type { Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import { pipelineRunLayer, type PipelineRun } from "./pipeline-run.js";
import { ProjectEvent, type ProjectEventInit } from "./project-event.js";

export interface Pipeline {
  uuid: string;
  name: string;
  /** Path of the pipeline file in the project. */
  path: string;
}

/** A service of an interactive session, as the user defined it. */
export interface UserService {
  name: string;
  image: string;
  command: string;
  env: Record<string, string>;
  binds: Record<string, string>;
}

export interface InteractiveSession {
  userServices: UserService[];
}

type PipelineEventType = EventTypeUnder<"project:pipeline:">;
type SessionEventType = EventTypeUnder<"project:pipeline:interactive-session:">;
type InteractiveRunEventType = EventTypeUnder<"project:pipeline:interactive-session:pipeline-run:">;
type PipelineEventInit<T extends PipelineEventType> = ProjectEventInit<T> & { pipeline: Pipeline };
type SessionEventInit<T extends SessionEventType> = PipelineEventInit<T> & { session: InteractiveSession };

export class PipelineEvent<T extends PipelineEventType = PipelineEventType> extends ProjectEvent<T> {
  readonly pipeline: Pipeline;

  constructor(init: PipelineEventInit<T>) {
    super(init);
    this.pipeline = init.pipeline;
  }

  protected override layers(): Layer[] {
    const { uuid, name, path } = this.pipeline;
    return [
      ...super.layers(),
      { path: ["project", "pipeline"], notification: { uuid, name, path }, telemetryFields: ["uuid"], derived: {} },
    ];
  }
}

export class InteractiveSessionEvent<T extends SessionEventType = SessionEventType> extends PipelineEvent<T> {
  readonly session: InteractiveSession;

  constructor(init: SessionEventInit<T>) {
    super(init);
    this.session = init.session;
  }

  protected override layers(): Layer[] {
    const services = this.session.userServices;
    return [
      ...super.layers(),
      {
        path: ["project", "pipeline", "session"],
        // Commands and environment values may hold secrets: not even notifications carry them.
        notification: { user_services: services.map(({ name, image }) => ({ name, image })) },
        telemetryFields: [],
        derived: {
          user_services_count: services.length,
          binds_count: services.reduce((sum, service) => sum + Object.keys(service.binds).length, 0),
          env_variables_count: services.reduce((sum, service) => sum + Object.keys(service.env).length, 0),
        },
      },
    ];
  }
}

export class InteractivePipelineRunEvent<T extends InteractiveRunEventType = InteractiveRunEventType> extends InteractiveSessionEvent<T> {
  readonly pipelineRun: PipelineRun;

  constructor(init: SessionEventInit<T> & { pipelineRun: PipelineRun }) {
    super(init);
    this.pipelineRun = init.pipelineRun;
  }

  protected override layers(): Layer[] {
    return [...super.layers(), pipelineRunLayer(["project", "pipeline", "session", "pipeline_run"], this.pipelineRun)];
  }
}
