import * as kplus from "cdk8s-plus-28";
import { ApiObject, JsonPatch } from "cdk8s";
import { Construct } from "constructs";
import { configurePodTemplate, envVariables, objectMeta, replicas, rootContainerSecurity, selectComponent, singleNodeAffinity } from "./common.js";
import type { SynthContext } from "./context.js";
import type { OrchestComponentName } from "./labels.js";
import type { OrchestVolumes } from "./volumes.js";

/** Props of the stateful components (orchest-database, rabbitmq-server). */
export interface StatefulComponentProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** The platform's volumes; data lives on the state volume, or on the user directory. */
  readonly volumes: OrchestVolumes;
}

/** What tells one stateful component from another. */
export interface StatefulComponentShape {
  readonly component: OrchestComponentName;
  readonly portName: string;
  readonly port: number;
  /** Where the data lives in the container, and under which path of its claim (Orchest's, in both layouts). */
  readonly dataPath: string;
  readonly subPath: string;
  readonly resources: kplus.ContainerResources;
  readonly readiness: kplus.Probe;
  readonly startup?: kplus.Probe;
  /** Resolver options of Orchest's control plane (the database has them, the broker not). */
  readonly orchestDns?: boolean;
  /** Host names of the pod itself (`hostAliases` on 127.0.0.1). @default none */
  readonly ownHostNames?: readonly string[];
}

/**
 * A one-replica StatefulSet (at most one pod ever writes the data directory) plus its Service, the data on
 * the state claim, the component's plan (image, environment, node selector).
 */
export class StatefulComponent extends Construct {
  public readonly statefulSet: kplus.StatefulSet;
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: StatefulComponentProps, shape: StatefulComponentShape) {
    super(scope, id);
    const ctx = props.context;
    const component = shape.component;
    const plan = ctx.components[component];
    this.service = new kplus.Service(this, "service", {
      metadata: objectMeta(ctx, component, component),
      ports: [{ name: shape.portName, port: shape.port, targetPort: shape.port }],
    });
    selectComponent(ctx, this.service, component);
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
          image: plan.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: shape.portName, number: shape.port }],
          envVariables: envVariables(this, "env", plan.env),
          securityContext: rootContainerSecurity(),
          resources: shape.resources,
          readiness: shape.readiness,
          ...(shape.startup ? { startup: shape.startup } : {}),
        },
      ],
    });
    const volume = kplus.Volume.fromPersistentVolumeClaim(this, "data", props.volumes.stateClaim(), { name: "orchest-state" });
    this.statefulSet.containers[0]!.mount(shape.dataPath, volume, { subPath: shape.subPath });
    if (shape.ownHostNames) {
      ApiObject.of(this.statefulSet).addJsonPatch(JsonPatch.add("/spec/template/spec/hostAliases", [{ ip: "127.0.0.1", hostnames: [...shape.ownHostNames] }]));
    }
    const affinity = singleNodeAffinity(ctx);
    configurePodTemplate(ctx, this.statefulSet, {
      component,
      nodeSelector: plan.nodeSelector,
      ...(shape.orchestDns ? { orchestDns: true } : {}),
      ...(affinity ? { affinity } : {}),
    });
  }
}
