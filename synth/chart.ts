import { Chart, type ChartProps } from "cdk8s";
import type { Construct } from "constructs";
import { AuthServer } from "./auth-server.js";
import { BuildkitDaemon } from "./buildkit-daemon.js";
import { CeleryWorker } from "./celery-worker.js";
import type { SynthContext } from "./context.js";
import { DockerRegistry } from "./docker-registry.js";
import { NodeAgent } from "./node-agent.js";
import { OrchestApi } from "./orchest-api.js";
import { OrchestDatabase } from "./orchest-database.js";
import { OrchestWebserver } from "./orchest-webserver.js";
import { RabbitmqServer } from "./rabbitmq-server.js";
import { tidy } from "./tidy.js";
import { OrchestVolumes } from "./volumes.js";

/** Props of `OrchestChart`. */
export interface OrchestChartProps extends ChartProps {
  /** Resolved cluster settings (see `resolveContext`). */
  readonly context: SynthContext;
}

/** Every object of one Orchest cluster: one construct per component. */
export class OrchestChart extends Chart {
  public readonly volumes: OrchestVolumes;
  public readonly registry: DockerRegistry;
  public readonly database: OrchestDatabase;
  public readonly rabbitmq: RabbitmqServer;
  public readonly api: OrchestApi;
  public readonly celeryWorker: CeleryWorker;
  public readonly authServer: AuthServer;
  public readonly webserver: OrchestWebserver;
  public readonly buildkitDaemon: BuildkitDaemon;
  public readonly nodeAgent: NodeAgent;

  constructor(scope: Construct, id: string, props: OrchestChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const context = props.context;
    this.volumes = new OrchestVolumes(this, "volumes", { context });
    this.registry = new DockerRegistry(this, "docker-registry", { context });
    this.database = new OrchestDatabase(this, "orchest-database", { context, volumes: this.volumes });
    this.rabbitmq = new RabbitmqServer(this, "rabbitmq-server", { context, volumes: this.volumes });
    this.api = new OrchestApi(this, "orchest-api", { context, volumes: this.volumes });
    this.celeryWorker = new CeleryWorker(this, "celery-worker", { context, volumes: this.volumes, role: this.api.role });
    this.authServer = new AuthServer(this, "auth-server", { context });
    this.webserver = new OrchestWebserver(this, "orchest-webserver", { context, volumes: this.volumes });
    this.buildkitDaemon = new BuildkitDaemon(this, "buildkit-daemon", { context });
    this.nodeAgent = new NodeAgent(this, "node-agent", { context });
  }

  /** The chart's objects, without the zero values the API server would drop (see tidy.ts). */
  public override toJson(): any[] {
    return super.toJson().map((o: { kind?: unknown }) => tidy(o));
  }
}
