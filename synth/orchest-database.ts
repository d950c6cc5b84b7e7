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

const COMPONENT = "orchest-database";

/** Props of `OrchestDatabase`. */
export interface OrchestDatabaseProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes; data lives on the state volume, or under `.orchest/database/data` of the user directory. */
  readonly volumes: OrchestVolumes;
  /**
   * Port PostgreSQL listens on.
   * @default 5432
   */
  readonly port?: number;
}

/**
 * orchest-database (wave 1): PostgreSQL as a one-replica StatefulSet (at most
 * one pod ever writes the data directory) plus its Service.
 * Image: `spec.postgres.image` when custom, else the Orchest default image.
 */
export class OrchestDatabase extends Construct {
  public readonly statefulSet: kplus.StatefulSet;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: OrchestDatabaseProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 5432;
    const dataPath = "/userdir/.orchest/database/data";
    this.service = new kplus.Service(this, "service", {
      metadata: objectMeta(ctx, COMPONENT, COMPONENT),
      ports: [{ name: "postgres", port, targetPort: port }],
    });
    selectComponent(ctx, this.service, COMPONENT);
    const mount = stateMount(props.volumes, ".orchest/database/data", "database/data");
    const env = componentEnv(ctx, COMPONENT, [
      { name: "PGDATA", value: dataPath },
      { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
    ]);
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
          ports: [{ name: "postgres", number: port }],
          envVariables: envVariables(this, "db", env),
          securityContext: rootContainerSecurity(),
          resources: requests(100, 256),
          readiness: kplus.Probe.fromCommand(["pg_isready", "-U", "postgres"], { periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
          startup: kplus.Probe.fromCommand(["pg_isready", "-U", "postgres"], { periodSeconds: Duration.seconds(5), failureThreshold: 120 }),
        },
      ],
    });
    const volume = kplus.Volume.fromPersistentVolumeClaim(this, "data", mount.claim, { name: "orchest-state" });
    this.statefulSet.containers[0]!.mount(dataPath, volume, { subPath: mount.subPath });
    const affinity = singleNodeAffinity(ctx);
    configurePodTemplate(ctx, this.statefulSet, {
      component: COMPONENT,
      nodeSelector: nodeSelectorFor(ctx, COMPONENT),
      ...(affinity ? { affinity } : {}),
    });
  }
}
