// Manifests in the shapes people write and upstream projects ship (ingress-nginx, metrics-server,
// node-exporter, a Redis StatefulSet, CronJobs, webhooks, a CRD and its instance ...), written by hand:
// empty lists and maps, nulls, numbers where the server keeps strings, unnamed ports without a protocol,
// two mounts of one volume, probes by port name. For the zero-writes test and benchmark.
import type { KubeObject } from "../../client/object.js";

const CRD_GROUP = "widgets.example.com";

/** The corpus in one namespace (plus cluster-scoped objects named after it). */
export function upstreamManifests(namespace: string): KubeObject[] {
  const ns = namespace;
  const labels = (app: string) => ({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "corpus" });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns }, annotations: {} } },

    // ingress-nginx's controller, abridged.
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ingress-nginx", namespace: ns, labels: labels("ingress-nginx") }, automountServiceAccountToken: true },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ingress-nginx-controller", namespace: ns, labels: labels("ingress-nginx") }, data: { "allow-snippet-annotations": "false", "use-forwarded-headers": "true" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ingress-nginx-controller", namespace: ns, labels: labels("ingress-nginx"), annotations: {} },
      spec: {
        minReadySeconds: 0,
        revisionHistoryLimit: 10,
        selector: { matchLabels: labels("ingress-nginx") },
        strategy: { rollingUpdate: { maxUnavailable: 1 }, type: "RollingUpdate" },
        template: {
          metadata: { labels: labels("ingress-nginx") },
          spec: {
            containers: [
              {
                name: "controller",
                image: "registry.k8s.io/ingress-nginx/controller:v1.11.2",
                imagePullPolicy: "IfNotPresent",
                args: ["/nginx-ingress-controller", `--election-id=ingress-nginx-leader`, `--controller-class=k8s.io/ingress-nginx`, `--configmap=$(POD_NAMESPACE)/ingress-nginx-controller`],
                env: [
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "LD_PRELOAD", value: "/usr/local/lib/libmimalloc.so" },
                ],
                lifecycle: { preStop: { exec: { command: ["/wait-shutdown"] } } },
                livenessProbe: { failureThreshold: 5, httpGet: { path: "/healthz", port: 10254, scheme: "HTTP" }, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
                readinessProbe: { httpGet: { path: "/healthz", port: 10254 } },
                ports: [
                  { containerPort: 80, name: "http", protocol: "TCP" },
                  { containerPort: 443, name: "https" },
                  { containerPort: 8443, name: "webhook", protocol: "TCP" },
                ],
                resources: { requests: { cpu: "100m", memory: "90Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, readOnlyRootFilesystem: false, runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: "RuntimeDefault" } },
                volumeMounts: [{ mountPath: "/usr/local/certificates/", name: "webhook-cert", readOnly: true }],
              },
            ],
            dnsPolicy: "ClusterFirst",
            nodeSelector: { "kubernetes.io/os": "linux" },
            serviceAccountName: "ingress-nginx",
            terminationGracePeriodSeconds: 300,
            volumes: [{ name: "webhook-cert", secret: { secretName: "ingress-nginx-admission" } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "ingress-nginx-controller", namespace: ns, labels: labels("ingress-nginx") },
      spec: {
        type: "NodePort",
        ipFamilyPolicy: "SingleStack",
        ipFamilies: ["IPv4"],
        ports: [
          { appProtocol: "http", name: "http", port: 80, protocol: "TCP", targetPort: "http" },
          { appProtocol: "https", name: "https", port: 443, targetPort: "https" },
        ],
        selector: labels("ingress-nginx"),
      },
    },
    { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: `${ns}-nginx`, labels: labels("ingress-nginx") }, spec: { controller: "k8s.io/ingress-nginx" } },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: `${ns}-ingress-nginx-admission`, labels: labels("ingress-nginx") },
      webhooks: [
        {
          name: "validate.nginx.ingress.kubernetes.io",
          admissionReviewVersions: ["v1"],
          clientConfig: { service: { name: "ingress-nginx-controller-admission", namespace: ns, path: "/networking/v1/ingresses" } },
          // Fail-open and scoped to a label no object has: the webhook's service is never there.
          failurePolicy: "Ignore",
          matchPolicy: "Equivalent",
          objectSelector: { matchLabels: { "corpus.example.com/validate": ns } },
          rules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["ingresses"] }],
          sideEffects: "None",
        },
      ],
    },

    // metrics-server's Deployment, abridged: args, an emptyDir, a priority class, numbers for quantities.
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "metrics-server", namespace: ns, labels: { "k8s-app": "metrics-server" } },
      spec: {
        selector: { matchLabels: { "k8s-app": "metrics-server" } },
        strategy: { rollingUpdate: { maxUnavailable: 0 } },
        template: {
          metadata: { labels: { "k8s-app": "metrics-server" } },
          spec: {
            containers: [
              {
                args: ["--cert-dir=/tmp", "--secure-port=10250", "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname", "--kubelet-use-node-status-port", "--metric-resolution=15s"],
                image: "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                imagePullPolicy: "IfNotPresent",
                livenessProbe: { failureThreshold: 3, httpGet: { path: "/livez", port: "https", scheme: "HTTPS" }, periodSeconds: 10 },
                name: "metrics-server",
                ports: [{ containerPort: 10250, name: "https", protocol: "TCP" }],
                resources: { requests: { cpu: 0.1, memory: "200Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ mountPath: "/tmp", name: "tmp-dir" }],
              },
            ],
            nodeSelector: { "kubernetes.io/os": "linux" },
            priorityClassName: "system-cluster-critical",
            serviceAccountName: "metrics-server",
            volumes: [{ emptyDir: {}, name: "tmp-dir" }],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "metrics-server", namespace: ns, labels: { "k8s-app": "metrics-server" } } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "metrics-server", namespace: ns, labels: { "k8s-app": "metrics-server" } }, spec: { ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }], selector: { "k8s-app": "metrics-server" } } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${ns}-metrics-server`, labels: { "k8s-app": "metrics-server" } },
      rules: [
        { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${ns}-metrics-server` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${ns}-metrics-server` },
      subjects: [{ kind: "ServiceAccount", name: "metrics-server", namespace: ns }],
    },

    // node-exporter's DaemonSet: host namespaces, tolerate everything, hostPath mounts.
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "node-exporter", namespace: ns, labels: { app: "node-exporter" } },
      spec: {
        selector: { matchLabels: { app: "node-exporter" } },
        updateStrategy: { rollingUpdate: { maxUnavailable: 1 }, type: "RollingUpdate" },
        template: {
          metadata: { labels: { app: "node-exporter" }, annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" } },
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                name: "node-exporter",
                image: "quay.io/prometheus/node-exporter:v1.8.2",
                args: ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root", "--no-collector.wifi"],
                ports: [{ containerPort: 9100, hostPort: 9100, name: "metrics" }],
                resources: {},
                securityContext: { readOnlyRootFilesystem: true },
                volumeMounts: [
                  { mountPath: "/host/proc", name: "proc", readOnly: true },
                  { mountPath: "/host/sys", name: "sys", readOnly: true },
                  { mountPath: "/host/root", mountPropagation: "HostToContainer", name: "root", readOnly: true },
                ],
              },
            ],
            hostNetwork: true,
            hostPID: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 },
            tolerations: [{ operator: "Exists" }],
            volumes: [
              { hostPath: { path: "/proc" }, name: "proc" },
              { hostPath: { path: "/sys" }, name: "sys" },
              { hostPath: { path: "/", type: "" }, name: "root" },
            ],
          },
        },
      },
    },

    // A Redis StatefulSet as charts write it: a headless Service, volume claim templates, a config file by subPath.
    { apiVersion: "v1", kind: "Service", metadata: { name: "redis-headless", namespace: ns }, spec: { clusterIP: "None", ports: [{ name: "tcp-redis", port: 6379, targetPort: "redis" }], publishNotReadyAddresses: true, selector: { app: "redis" } } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "redis-config", namespace: ns }, data: { "redis.conf": "appendonly yes\nsave \"\"\n", "users.acl": "user default on nopass ~* +@all\n" } },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "redis", namespace: ns }, type: "Opaque", stringData: { "redis-password": "s3cr3t" } },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "redis", namespace: ns, labels: { app: "redis" } },
      spec: {
        replicas: 1,
        serviceName: "redis-headless",
        selector: { matchLabels: { app: "redis" } },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels: { app: "redis" }, annotations: { "checksum/config": "5d41402abc4b2a76b9719d911017c592" } },
          spec: {
            affinity: {},
            securityContext: { fsGroup: 1001 },
            containers: [
              {
                name: "redis",
                image: "docker.io/library/redis:7.4",
                command: ["redis-server"],
                args: ["/etc/redis/redis.conf", "--aclfile", "/etc/redis/users.acl"],
                env: [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "redis-password", optional: false } } }],
                envFrom: [],
                ports: [{ name: "redis", containerPort: 6379 }],
                resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "50Mi" } },
                volumeMounts: [
                  { name: "data", mountPath: "/data" },
                  { name: "config", mountPath: "/etc/redis/redis.conf", subPath: "redis.conf" },
                  { name: "config", mountPath: "/etc/redis/users.acl", subPath: "users.acl" },
                ],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "redis-config" } }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } } }],
      },
    },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "redis", namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: "redis" } } } },

    // A web app as a team writes it, with the empty values that templates leave behind.
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns, labels: { app: "web" }, annotations: {} },
      spec: {
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: "web" }, annotations: {} },
          spec: {
            imagePullSecrets: [],
            initContainers: [
              { name: "wait-for-redis", image: "busybox:1.36", command: ["sh", "-c", "until nc -z redis-headless 6379; do sleep 1; done"], args: [], env: [] },
              { name: "migrate", image: "ghcr.io/example/web:1.4.2", args: ["migrate", "--yes"], resources: { requests: { cpu: 0.05, memory: "64Mi" } } },
            ],
            containers: [
              {
                name: "web",
                image: "ghcr.io/example/web:1.4.2",
                imagePullPolicy: "Always",
                args: [],
                env: [],
                envFrom: [{ configMapRef: { name: "web-env" } }],
                ports: [{ containerPort: 8080 }, { containerPort: 9090, name: "metrics" }],
                readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
                livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 15 },
                resources: { limits: { cpu: 1, memory: "512Mi" }, requests: { cpu: 0.25, memory: "256M" } },
                securityContext: {},
                volumeMounts: [],
              },
            ],
            nodeSelector: {},
            tolerations: null,
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" } }] } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }],
            volumes: [],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-env", namespace: ns, annotations: {} }, data: { LOG_LEVEL: "info", FEATURE_X: "true" } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: ns }, spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web", namespace: ns, annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "8m" } },
      spec: {
        ingressClassName: `${ns}-nginx`,
        tls: [{ hosts: ["web.example.test"], secretName: "web-tls" }],
        rules: [{ host: "web.example.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }],
      },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "web", namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8080 }] }],
      },
    },
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },

    // DNS-like Service: one port number over TCP and UDP.
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "dns", namespace: ns },
      spec: { selector: { app: "dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] },
    },

    // Batch: a CronJob and a Job as their docs show them.
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "backup", namespace: ns },
      spec: {
        schedule: "*/30 * * * *",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              spec: {
                restartPolicy: "OnFailure",
                containers: [{ name: "backup", image: "docker.io/library/redis:7.4", command: ["/bin/sh", "-c", "redis-cli -h redis-headless --rdb /backup/dump.rdb"], volumeMounts: [{ name: "backup", mountPath: "/backup" }] }],
                volumes: [{ name: "backup", persistentVolumeClaim: { claimName: "backup" } }],
              },
            },
          },
        },
      },
    },
    { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "backup", namespace: ns }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "seed", namespace: ns },
      spec: { backoffLimit: 4, template: { spec: { restartPolicy: "Never", containers: [{ name: "seed", image: "busybox:1.36", command: ["sh", "-c", "echo seeded"] }] } } },
    },

    // Quotas and defaults of a shared namespace.
    { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: ns }, spec: { hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": 8, pods: "20" } } },
    { apiVersion: "v1", kind: "LimitRange", metadata: { name: "defaults", namespace: ns }, spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: 0.1, memory: "128Mi" } }] } },
    { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: `${ns}-high` }, value: 1000000, globalDefault: false, description: "for the corpus' critical pods" },
    { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: `${ns}-fast` }, provisioner: "example.com/fast", parameters: {}, reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "web-tls", namespace: ns }, type: "kubernetes.io/tls", data: { "tls.crt": Buffer.from("not a certificate").toString("base64"), "tls.key": Buffer.from("not a key").toString("base64") } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "leader-election", namespace: ns },
      rules: [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "leader-election", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "leader-election" },
      subjects: [{ kind: "ServiceAccount", name: "ingress-nginx", namespace: ns }],
    },

    // A CRD as operator projects ship it, and an instance with lists and empty values.
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${CRD_GROUP}` },
      spec: {
        group: CRD_GROUP,
        names: { kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget", shortNames: ["wg"] },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
            schema: {
              openAPIV3Schema: {
                type: "object",
                description: "A Widget is a made-up resource.",
                properties: {
                  spec: {
                    type: "object",
                    properties: {
                      size: { type: "integer", minimum: 1 },
                      parts: { type: "array", items: { type: "object", properties: { name: { type: "string" }, count: { type: "integer" } }, required: ["name"] } },
                      labels: { type: "object", additionalProperties: { type: "string" } },
                      notes: { type: "array", items: { type: "string" } },
                    },
                  },
                  status: { type: "object", properties: { ready: { type: "boolean" } } },
                },
              },
            },
          },
        ],
      },
    },
    {
      apiVersion: `${CRD_GROUP}/v1`,
      kind: "Widget",
      metadata: { name: "gizmo", namespace: ns, annotations: {} },
      spec: { size: 3, parts: [{ name: "gear", count: 2 }, { name: "spring", count: 1 }], labels: {}, notes: [] },
    },
  ];
}
