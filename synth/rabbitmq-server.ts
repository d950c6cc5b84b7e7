import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
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
import { stateMount, type OrchestVolumes } from "./volumes.js";

const COMPONENT = "rabbitmq-server";

/** Props of `RabbitmqServer`. */
export interface RabbitmqServerProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes; the Mnesia directory lives on the state volume or under `.orchest/rabbitmq-mnesia` of the user directory. */
  readonly volumes: OrchestVolumes;
  /**
   * AMQP port.
   * @default 5672
   */
  readonly port?: number;
}

/**
 * rabbitmq-server (wave 2): the Celery broker as a one-replica StatefulSet
 * plus its Service. Image: `spec.rabbitMq.image` when custom, else the Orchest
 * default image.
 */
export class RabbitmqServer extends Construct {
  public readonly statefulSet: kplus.StatefulSet;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: RabbitmqServerProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 5672;
    this.service = new kplus.Service(this, "service", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      ports: [{ name: "amqp", port, targetPort: port }],
    });
    selectComponent(ctx, this.service, COMPONENT);
    const mount = stateMount(props.volumes, ".orchest/rabbitmq-mnesia", "rabbitmq-mnesia");
    this.statefulSet = new kplus.StatefulSet(this, "statefulset", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      select: false,
      service: this.service,
      replicas: replicas(ctx),
      podManagementPolicy: kplus.PodManagementPolicy.ORDERED_READY,
      securityContext: { ensureNonRoot: false },
      containers: [
        {
          name: COMPONENT,
          image: componentImage(ctx, COMPONENT),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: "amqp", number: port }],
          envVariables: envVariables(this, "rabbitmq", componentEnv(ctx, COMPONENT)),
          securityContext: rootContainerSecurity(),
          resources: requests(100, 256),
          readiness: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
          startup: kplus.Probe.fromTcpSocket({ port, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
        },
      ],
    });
    const volume = kplus.Volume.fromPersistentVolumeClaim(this, "mnesia", mount.claim, { name: "orchest-state" });
    this.statefulSet.containers[0]!.mount("/var/lib/rabbitmq/mnesia", volume, { subPath: mount.subPath });
    const affinity = singleNodeAffinity(ctx);
    configurePodTemplate(ctx, this.statefulSet, {
      component: COMPONENT,
      nodeSelector: nodeSelectorFor(ctx, COMPONENT),
      ...(affinity ? { affinity } : {}),
    });
  }
}
