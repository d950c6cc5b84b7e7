import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { objectMeta } from "./common.js";
import type { SynthContext } from "./context.js";
import { LABELS, orchestPodLabels } from "./labels.js";

const COMPONENT = "orchest-api";
/** Name of the pod (Orchest's OrchestApiCleanup). */
export const ORCHEST_API_CLEANUP = "orchest-api-cleanup";

/** Props of `OrchestApiCleanup`. */
export interface OrchestApiCleanupProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /** Service account of the pod. @default "orchest-api" */
  readonly serviceAccountName?: string;
  /** The pod's command, in the API's image. @default Orchest's: `["/bin/sh", "-c"]` */
  readonly command?: readonly string[];
  /** Its arguments. @default Orchest's: `["python migration_manager.py db migrate && python cleanup.py"]` */
  readonly args?: readonly string[];
}

/**
 * While the cluster is paused, the one-shot pod Orchest's controller runs when it stops orchest-api: it
 * migrates the database and records the stop (aborting the runs, builds and sessions left running). It
 * belongs to orchest-api's wave; the operator starts it once the API has stopped and waits for it to finish
 * before stopping the broker and the database. It is pruned when the cluster resumes.
 */
export class OrchestApiCleanup extends Construct {
  public readonly pod?: ApiObject;

  constructor(scope: Construct, id: string, props: OrchestApiCleanupProps) {
    super(scope, id);
    const ctx = props.context;
    if (!ctx.paused) return;
    const plan = ctx.components[COMPONENT];
    const meta = objectMeta(ctx, COMPONENT, ORCHEST_API_CLEANUP);
    this.pod = new ApiObject(this, "pod", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { ...meta, labels: { ...orchestPodLabels(ORCHEST_API_CLEANUP), ...meta.labels, [LABELS.task]: ORCHEST_API_CLEANUP } },
      spec: {
        restartPolicy: "Never",
        serviceAccountName: props.serviceAccountName ?? COMPONENT,
        ...(Object.keys(plan.nodeSelector).length > 0 ? { nodeSelector: { ...plan.nodeSelector } } : {}),
        containers: [
          {
            name: ORCHEST_API_CLEANUP,
            image: plan.image,
            imagePullPolicy: "IfNotPresent",
            command: [...(props.command ?? ["/bin/sh", "-c"])],
            args: [...(props.args ?? ["python migration_manager.py db migrate && python cleanup.py"])],
            env: plan.env.map((e) => ({ ...e })),
          },
        ],
      },
    });
  }
}
