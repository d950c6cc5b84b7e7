import * as kplus from "cdk8s-plus-28";
import type { Construct } from "constructs";
import { StatefulComponent, type StatefulComponentProps } from "./stateful-component.js";

/** Props of `RabbitmqServer` (port defaults to 5672, AMQP). */
export type RabbitmqServerProps = StatefulComponentProps;

/**
 * rabbitmq-server (wave 2): the Celery broker as a one-replica StatefulSet plus its Service, its Mnesia
 * directory on the state volume. Image: `spec.rabbitMq.image` when custom, else the Orchest default image.
 */
export class RabbitmqServer extends StatefulComponent {
  constructor(scope: Construct, id: string, props: RabbitmqServerProps) {
    super(scope, id, props, {
      component: "rabbitmq-server",
      portName: "amqp",
      defaultPort: 5672,
      dataPath: "/var/lib/rabbitmq/mnesia",
      userDirSubPath: ".orchest/rabbitmq-mnesia",
      stateSubPath: "rabbitmq-mnesia",
      probe: (port, options) => kplus.Probe.fromTcpSocket({ port, ...options }),
    });
  }
}
