import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import type { EnvVar } from "../crds/types/index.js";
import {
  configurePodTemplate,
  envVariables,
  objectMeta,
  replicas,
  requests,
  rootContainerSecurity,
  selectComponent,
  singleNodeAffinity,
} from "./common.js";
import { componentEnv, componentImage, nodeSelectorFor, type SynthContext } from "./context.js";
import type { OrchestComponentName } from "./labels.js";
import { stateMount, type OrchestVolumes } from "./volumes.js";

/** Props of the stateful components (orchest-database, rabbitmq-server). */
export interface StatefulComponentProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes; data lives on the state volume, or under `.orchest/` of the user directory. */
  readonly volumes: OrchestVolumes;
  /**
   * Port the component listens on.
   * @default the component's usual port (5432 for PostgreSQL, 5672 for AMQP)
   */
  readonly port?: number;
}

/** What tells one stateful component from another. */
export interface StatefulComponentShape {
  readonly component: OrchestComponentName;
  readonly portName: string;
  readonly defaultPort: number;
  /** Where the data lives: in the container, under `.orchest/` of the user directory, and on the state volume. */
  readonly dataPath: string;
  readonly userDirSubPath: string;
  readonly stateSubPath: string;
  readonly env?: readonly EnvVar[];
  /** How readiness is checked, at the given period and failure threshold. */
  readonly probe: (port: number, options: kplus.ProbeOptions) => kplus.Probe;
}

/**
 * A one-replica StatefulSet (at most one pod ever writes the data directory) plus its Service, the data on the
 * state volume. Image: the component's custom image when set, else the Orchest default image.
 */
export class StatefulComponent extends Construct {
  public readonly statefulSet: kplus.StatefulSet;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: StatefulComponentProps, shape: StatefulComponentShape) {
    super(scope, id);
    const ctx = props.context;
    const component = shape.component;
    const port = props.port ?? shape.defaultPort;
    this.service = new kplus.Service(this, "service", {
      metadata: objectMeta(ctx, component, component),
      ports: [{ name: shape.portName, port, targetPort: port }],
    });
    selectComponent(ctx, this.service, component);
    const mount = stateMount(props.volumes, shape.userDirSubPath, shape.stateSubPath);
    this.statefulSet = new kplus.StatefulSet(this, "statefulset", {
      metadata: objectMeta(ctx, component, component),
      select: false,
      service: this.service,
      replicas: replicas(ctx),
      podManagementPolicy: kplus.PodManagementPolicy.ORDERED_READY,
      securityContext: { ensureNonRoot: false },
      containers: [
        {
          name: component,
          image: componentImage(ctx, component),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: shape.portName, number: port }],
          envVariables: envVariables(this, "env", componentEnv(ctx, component, shape.env)),
          securityContext: rootContainerSecurity(),
          resources: requests(100, 256),
          readiness: shape.probe(port, { periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
          startup: shape.probe(port, { periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
        },
      ],
    });
    const volume = kplus.Volume.fromPersistentVolumeClaim(this, "data", mount.claim, { name: "orchest-state" });
    this.statefulSet.containers[0]!.mount(shape.dataPath, volume, { subPath: mount.subPath });
    const affinity = singleNodeAffinity(ctx);
    configurePodTemplate(ctx, this.statefulSet, {
      component,
      nodeSelector: nodeSelectorFor(ctx, component),
      ...(affinity ? { affinity } : {}),
    });
  }
}
