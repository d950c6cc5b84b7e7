import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import type { Construct } from "constructs";
import { requests } from "./common.js";
import { RABBITMQ_HOSTNAME } from "./env.js";
import { StatefulComponent, type StatefulComponentProps } from "./stateful-component.js";

/** Props of `RabbitmqServer`. */
export type RabbitmqServerProps = StatefulComponentProps;

const PORT = 5672;

/**
 * rabbitmq-server (wave 2): the Celery broker as a one-replica StatefulSet plus its Service on 5672 (AMQP),
 * its Mnesia directory where Orchest keeps it (`.orchest/rabbitmq-mnesia`). RabbitMQ names its state after
 * its node name: Orchest fixed the pod's host name to `orchest-rabbit`; a StatefulSet names its pod
 * itself, so the node name is set instead (RABBITMQ_NODENAME) and the name resolves to the pod.
 * Image: `spec.rabbitMq.image`, else `rabbitmq:3`.
 */
export class RabbitmqServer extends StatefulComponent {
  constructor(scope: Construct, id: string, props: RabbitmqServerProps) {
    super(scope, id, props, {
      component: "rabbitmq-server",
      portName: "amqp",
      port: PORT,
      dataPath: "/var/lib/rabbitmq/mnesia",
      subPath: ".orchest/rabbitmq-mnesia",
      resources: requests(100, 256),
      readiness: kplus.Probe.fromTcpSocket({ port: PORT, periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
      startup: kplus.Probe.fromTcpSocket({ port: PORT, periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
      ownHostNames: [RABBITMQ_HOSTNAME],
    });
  }
}
