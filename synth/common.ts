/**
 * Helpers shared by the component constructs: object metadata, container
 * defaults suited to Orchest's images, environment conversion, and the few
 * escape hatches cdk8s-plus-28 needs (raw node selectors and affinity, raw
 * quantities, removing cdk8s's own address label).
 */
import { ApiObject, Duration, JsonPatch, Size, type ApiObjectMetadata } from "cdk8s";
import { createHash } from "node:crypto";
import * as kplus from "cdk8s-plus-28";
import type { Construct } from "constructs";
import type { EnvVar } from "../crds/types/index.js";
import { REGISTRY_TLS_SECRET, sortKeys, type RegistryTls, type SynthContext, type VolumePlan } from "./context.js";
import { ANNOTATIONS, orchestPodLabels, ownershipLabels, selectorLabels, waveAnnotations } from "./labels.js";

/** Metadata of an object that belongs to `component` of the context's cluster. */
export function objectMeta(
  ctx: SynthContext,
  component: string,
  name: string,
  opts: { readonly clusterScoped?: boolean; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> } = {},
): ApiObjectMetadata {
  return {
    name,
    ...(opts.clusterScoped ? {} : { namespace: ctx.namespace }),
    labels: { ...ownershipLabels(ctx.clusterName, component), ...(opts.labels ?? {}) },
    annotations: { ...waveAnnotations(component), ...(opts.annotations ?? {}) },
  };
}

/** Security context of Orchest's containers: their images run as root and write to their filesystem. */
export function rootContainerSecurity(privileged = false): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: false,
    readOnlyRootFilesystem: false,
    privileged,
    allowPrivilegeEscalation: privileged,
  };
}

/** Requests (no limits) of a container. */
export function requests(cpuMillis: number, memoryMebibytes: number): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpuMillis) },
    memory: { request: Size.mebibytes(memoryMebibytes) },
  };
}

/**
 * When a startup probe of a DaemonSet's program runs: each second, for at least a minute, each try given 5 s (a
 * loaded node answers late; the 1-s default would count a slow answer as a failure). The kubelet checks readiness
 * the moment it succeeds, so a rollout moves to the next node as soon as the program answers, not a period later.
 */
export const STARTUP_PROBE_TIMING = { periodSeconds: Duration.seconds(1), timeoutSeconds: Duration.seconds(5), failureThreshold: 60 } as const;

/**
 * Converts Kubernetes EnvVars into cdk8s-plus env values, keeping order.
 * `valueFrom` sources are expressed with cdk8s-plus's own factories so that
 * the rendered env is exactly the Kubernetes one.
 */
export function envVariables(scope: Construct, idPrefix: string, env: readonly EnvVar[]): Record<string, kplus.EnvValue> {
  const out: Record<string, kplus.EnvValue> = {};
  for (const e of env) {
    const from = e.valueFrom;
    if (from === undefined) {
      out[e.name] = kplus.EnvValue.fromValue(e.value ?? "");
    } else if (from.fieldRef) {
      out[e.name] = kplus.EnvValue.fromFieldRef(from.fieldRef.fieldPath as kplus.EnvFieldPaths, {
        ...(from.fieldRef.apiVersion !== undefined ? { apiVersion: from.fieldRef.apiVersion } : {}),
      });
    } else if (from.secretKeyRef) {
      const secret = kplus.Secret.fromSecretName(scope, `${idPrefix}-env-${e.name}`, from.secretKeyRef.name ?? "");
      out[e.name] = kplus.EnvValue.fromSecretValue(
        { secret, key: from.secretKeyRef.key },
        from.secretKeyRef.optional !== undefined ? { optional: from.secretKeyRef.optional } : {},
      );
    } else if (from.configMapKeyRef) {
      const cm = kplus.ConfigMap.fromConfigMapName(scope, `${idPrefix}-env-${e.name}`, from.configMapKeyRef.name ?? "");
      out[e.name] = kplus.EnvValue.fromConfigMap(
        cm,
        from.configMapKeyRef.key,
        from.configMapKeyRef.optional !== undefined ? { optional: from.configMapKeyRef.optional } : {},
      );
    } else if (from.resourceFieldRef) {
      const divisor = from.resourceFieldRef.divisor;
      out[e.name] = kplus.EnvValue.fromResource(from.resourceFieldRef.resource as kplus.ResourceFieldPaths, {
        ...(divisor !== undefined ? { divisor: String(divisor) } : {}),
      });
    } else {
      throw new Error(`env ${e.name}: valueFrom has no known source`);
    }
  }
  return out;
}

/** Options of `configurePodTemplate`. */
export interface PodTemplateOptions {
  /** Component the workload belongs to. */
  readonly component: string;
  /** Extra labels of the pods that also select them (e.g. the runtime of a per-runtime DaemonSet). */
  readonly selectorExtra?: Record<string, string>;
  /** Node selector of the pods; omitted when empty. */
  readonly nodeSelector?: Record<string, string>;
  /** Raw `affinity` of the pods; omitted when undefined. */
  readonly affinity?: Record<string, unknown>;
  /** Raw `tolerations` of the pods; omitted when undefined. */
  readonly tolerations?: Record<string, unknown>[];
  /** Resolver options of Orchest's control-plane pods (timeout 10 s, 5 attempts). @default none */
  readonly orchestDns?: boolean;
}

/** The dnsConfig Orchest's controller gives its control-plane pods. */
export const ORCHEST_DNS_CONFIG = { options: [{ name: "timeout", value: "10" }, { name: "attempts", value: "5" }] } as const;

/**
 * Labels, selector, annotations and scheduling of a workload's pod template.
 * (The `cdk8s.io/metadata.addr` label cdk8s-plus adds to every pod template
 * is removed by OrchestChart, see tidy.ts.)
 */
export function configurePodTemplate(ctx: SynthContext, workload: kplus.Workload, opts: PodTemplateOptions): void {
  const sel = selectorLabels(ctx.clusterName, opts.component, opts.selectorExtra ?? {});
  workload.select(kplus.LabelSelector.of({ labels: sel }));
  const podLabels = { ...orchestPodLabels(opts.component), ...ownershipLabels(ctx.clusterName, opts.component), ...sel };
  for (const [k, v] of Object.entries(podLabels)) workload.podMetadata.addLabel(k, v);
  if (ctx.restartedAt !== undefined) workload.podMetadata.addAnnotation(ANNOTATIONS.restartedAt, ctx.restartedAt);
  const api = ApiObject.of(workload);
  if (opts.orchestDns) api.addJsonPatch(JsonPatch.add("/spec/template/spec/dnsConfig", ORCHEST_DNS_CONFIG));
  if (opts.nodeSelector && Object.keys(opts.nodeSelector).length > 0) {
    api.addJsonPatch(JsonPatch.add("/spec/template/spec/nodeSelector", sortKeys(opts.nodeSelector)));
  }
  if (opts.affinity) api.addJsonPatch(JsonPatch.add("/spec/template/spec/affinity", opts.affinity));
  if (opts.tolerations) api.addJsonPatch(JsonPatch.add("/spec/template/spec/tolerations", opts.tolerations));
}

/**
 * Marks a pod template that reads the registry's TLS Secret with a digest of the certificates synthesized
 * into it (none when synth has no certificate: the operator fills the Secret, and synthesizes again with it).
 */
export function annotateRegistryTls(ctx: SynthContext, workload: kplus.Workload): void {
  const tls = ctx.registryFacts.tls;
  if (tls) workload.podMetadata.addAnnotation(ANNOTATIONS.registryTls, registryTlsDigest(tls));
}

/** The value of `ANNOTATIONS.registryTls` for `tls`: a digest of its CA and certificate. */
export function registryTlsDigest(tls: RegistryTls): string {
  return createHash("sha256").update(tls.caCertificate ?? "").update("\0").update(tls.certificate).digest("hex");
}

/**
 * Mounts the registry's CA (`ca.crt` of its TLS Secret, optional: synth alone leaves it empty) into `container`:
 * as the folder `path` holding `ca.crt`, or, given `file`, as the single file `path` named so in the volume.
 */
export function mountRegistryCa(ctx: SynthContext, workload: kplus.Workload, container: kplus.Container, path: string, file?: string): void {
  const secret = kplus.Secret.fromSecretName(workload, "registry-tls", REGISTRY_TLS_SECRET);
  const ca = kplus.Volume.fromSecret(workload, "registry-ca", secret, { name: "registry-ca", items: { "ca.crt": { path: file ?? "ca.crt" } }, optional: true });
  container.mount(path, ca, { readOnly: true, ...(file ? { subPath: file } : {}) });
  annotateRegistryTls(ctx, workload);
}

/** Required pod affinity that keeps every pod of a single-node cluster on one node. */
export function singleNodeAffinity(ctx: SynthContext): Record<string, unknown> | undefined {
  if (!ctx.singleNode) return undefined;
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { "app.kubernetes.io/instance": ctx.clusterName, "app.kubernetes.io/part-of": "orchest" } },
          topologyKey: "kubernetes.io/hostname",
        },
      ],
    },
  };
}

/** Selects the pods of a component from a Service, by the stable selector labels. */
export function selectComponent(ctx: SynthContext, service: kplus.Service, component: string): void {
  for (const [k, v] of Object.entries(selectorLabels(ctx.clusterName, component))) service.selectLabel(k, v);
}

/**
 * A PersistentVolumeClaim of a claim plan, its size as a raw quantity string (e.g. "1.5Ti", "100G"):
 * cdk8s-plus's claim only renders whole gibibytes, so the object is a plain cdk8s ApiObject, and a
 * cdk8s-plus reference to it is returned for mounting.
 */
export function persistentVolumeClaim(scope: Construct, id: string, metadata: ApiObjectMetadata, plan: VolumePlan): { readonly apiObject: ApiObject; readonly claim: kplus.IPersistentVolumeClaim } {
  const apiObject = new ApiObject(scope, id, {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata,
    spec: {
      accessModes: [...plan.accessModes],
      ...(plan.storageClass !== undefined ? { storageClassName: plan.storageClass } : {}),
      resources: { requests: { storage: plan.size } },
      volumeMode: plan.volumeMode,
    },
  });
  const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, `${id}-ref`, plan.claimName);
  return { apiObject, claim };
}

/** Replicas of a Deployment or StatefulSet: 0 while paused. */
export function replicas(ctx: SynthContext, running = 1): number {
  return ctx.paused ? 0 : running;
}
