import * as kplus from "cdk8s-plus-28";
import type { Construct } from "constructs";
import { StatefulComponent, type StatefulComponentProps } from "./stateful-component.js";

/** Props of `OrchestDatabase` (port defaults to 5432). */
export type OrchestDatabaseProps = StatefulComponentProps;

const DATA_PATH = "/userdir/.orchest/database/data";

/**
 * orchest-database (wave 1): PostgreSQL as a one-replica StatefulSet plus its Service.
 * Image: `spec.postgres.image` when custom, else the Orchest default image.
 */
export class OrchestDatabase extends StatefulComponent {
  constructor(scope: Construct, id: string, props: OrchestDatabaseProps) {
    super(scope, id, props, {
      component: "orchest-database",
      portName: "postgres",
      defaultPort: 5432,
      dataPath: DATA_PATH,
      userDirSubPath: ".orchest/database/data",
      stateSubPath: "database/data",
      env: [
        { name: "PGDATA", value: DATA_PATH },
        { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
      ],
      probe: (_port, options) => kplus.Probe.fromCommand(["pg_isready", "-U", "postgres"], options),
    });
  }
}
