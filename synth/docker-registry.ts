import * as kplus from "cdk8s-plus-28";
import { Duration } from "cdk8s";
import { Construct } from "constructs";
import {
  annotateRegistryTls,
  configurePodTemplate,
  envVariables,
  objectMeta,
  replicas,
  requests,
  rootContainerSecurity,
  selectComponent,
  persistentVolumeClaim,
} from "./common.js";
import { REGISTRY_TLS_SECRET, type SynthContext } from "./context.js";
import { ANNOTATIONS, DOCKER_REGISTRY } from "./labels.js";

/** Props of `DockerRegistry`. */
export interface DockerRegistryProps {
  /** Resolved cluster settings. */
  readonly context: SynthContext;
  /**
   * Port the registry serves HTTPS on, in the pod; the Service listens on 443.
   * @default 5000
   */
  readonly port?: number;
}

/**
 * docker-registry (wave 0, before Orchest's components, as Orchest deployed
 * it as a third party): the in-cluster OCI registry that built images are
 * pushed to and nodes pull from. Deployment (Recreate: its volume is
 * ReadWriteOnce), PVC (`docker-registry`, 25Gi, the cluster's default
 * StorageClass, as Orchest's registry addon), Service on 443 (its ClusterIP pinned when known, since
 * nodes reach the registry by IP and the certificate names it) and the TLS
 * Secret `registry-tls-secret` (`tls.crt`, `tls.key`, `ca.crt`). Without a
 * certificate in the facts, the Secret is emitted without data and annotated
 * `orchest.io/tls-generate: "true"`: the operator generates the certificate
 * and fills it in, and since the data is not part of the desired object it is
 * never overwritten.
 */
export class DockerRegistry extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly claim: kplus.IPersistentVolumeClaim;
  public readonly tlsSecret: kplus.Secret;

  constructor(scope: Construct, id: string, props: DockerRegistryProps) {
    super(scope, id);
    const ctx = props.context;
    const port = props.port ?? 5000;
    const tls = ctx.registryFacts.tls;
    this.tlsSecret = new kplus.Secret(this, "tls", {
      metadata: objectMeta(ctx, DOCKER_REGISTRY, REGISTRY_TLS_SECRET, tls ? {} : { annotations: { [ANNOTATIONS.tlsGenerate]: "true" } }),
      type: "Opaque",
      ...(tls
        ? {
            stringData: {
              "ca.crt": tls.caCertificate ?? tls.certificate,
              "tls.crt": tls.certificate,
              "tls.key": tls.privateKey,
            },
          }
        : {}),
    });
    this.claim = persistentVolumeClaim(this, "claim", objectMeta(ctx, DOCKER_REGISTRY, ctx.registryClaim.claimName), ctx.registryClaim).claim;

    this.service = new kplus.Service(this, "service", {
      metadata: objectMeta(ctx, DOCKER_REGISTRY, DOCKER_REGISTRY),
      ports: [{ name: "https", port: 443, targetPort: port }],
      ...(ctx.registryFacts.clusterIP !== undefined ? { clusterIP: ctx.registryFacts.clusterIP } : {}),
    });
    selectComponent(ctx, this.service, DOCKER_REGISTRY);

    this.deployment = new kplus.Deployment(this, "deployment", {
      metadata: objectMeta(ctx, DOCKER_REGISTRY, DOCKER_REGISTRY),
      select: false,
      replicas: replicas(ctx),
      strategy: kplus.DeploymentStrategy.recreate(),
      securityContext: { ensureNonRoot: false },
      automountServiceAccountToken: false,
      containers: [
        {
          name: DOCKER_REGISTRY,
          image: ctx.registryImage,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: "https", number: port }],
          envVariables: envVariables(this, DOCKER_REGISTRY, [
            { name: "REGISTRY_HTTP_ADDR", value: `0.0.0.0:${port}` },
            { name: "REGISTRY_HTTP_TLS_CERTIFICATE", value: "/certs/tls.crt" },
            { name: "REGISTRY_HTTP_TLS_KEY", value: "/certs/tls.key" },
            { name: "REGISTRY_STORAGE_DELETE_ENABLED", value: "true" },
            { name: "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", value: "/var/lib/registry" },
          ]),
          securityContext: rootContainerSecurity(),
          resources: requests(50, 128),
          readiness: kplus.Probe.fromHttpGet("/", { port, scheme: kplus.ConnectionScheme.HTTPS, periodSeconds: Duration.seconds(5) }),
          startup: kplus.Probe.fromHttpGet("/", {
            port,
            scheme: kplus.ConnectionScheme.HTTPS,
            periodSeconds: Duration.seconds(5),
            failureThreshold: 120,
          }),
        },
      ],
    });
    const c = this.deployment.containers[0]!;
    c.mount("/var/lib/registry", kplus.Volume.fromPersistentVolumeClaim(this, "data", this.claim, { name: "registry-data" }));
    c.mount("/certs", kplus.Volume.fromSecret(this, "certs", this.tlsSecret, { name: "registry-tls" }), { readOnly: true });
    configurePodTemplate(ctx, this.deployment, { component: DOCKER_REGISTRY, nodeSelector: ctx.registryNodeSelector });
    annotateRegistryTls(ctx, this.deployment);
  }
}
