import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import type { Construct } from "constructs";
import { requests } from "./common.js";
import { StatefulComponent, type StatefulComponentProps } from "./stateful-component.js";

/** Props of `OrchestDatabase`. */
export type OrchestDatabaseProps = StatefulComponentProps;

/**
 * orchest-database (wave 1): PostgreSQL as a one-replica StatefulSet plus its Service on 5432, its data
 * where Orchest keeps it (`.orchest/database/data` of the state claim, PGDATA), Orchest's readiness probe.
 * Image: `spec.postgres.image`, else `postgres:13.1`.
 */
export class OrchestDatabase extends StatefulComponent {
  constructor(scope: Construct, id: string, props: OrchestDatabaseProps) {
    super(scope, id, props, {
      component: "orchest-database",
      portName: "postgres",
      port: 5432,
      dataPath: "/userdir/.orchest/database/data",
      subPath: ".orchest/database/data",
      resources: requests(100, 256),
      readiness: kplus.Probe.fromCommand(["pg_isready", "--username", "postgres"], {
        initialDelaySeconds: Duration.seconds(1),
        periodSeconds: Duration.seconds(4),
        timeoutSeconds: Duration.seconds(15),
        successThreshold: 1,
        failureThreshold: 10,
      }),
      orchestDns: true,
    });
  }
}
