import { readFileSync } from "node:fs";
import { join } from "node:path";
import { call } from "./https.js";
import type { Pki } from "./pki.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./process.js";

/** Where the apiserver listens when the test bed has real nodes: on the host's address of their network. */
export interface ApiserverNetwork {
  readonly hostIp: string;
  readonly serviceCidr: string;
}

/**
 * With real nodes: the kubelets' NodeRestriction, and placement by namespace annotation (PodNodeSelector,
 * PodTolerationRestriction), so that tests can send a controller's pods to the real nodes without placing them.
 */
const ADMISSION_PLUGINS = ["NodeRestriction", "PodNodeSelector", "PodTolerationRestriction"] as const;

/**
 * kube-apiserver, authenticating an admin by static token and serving with the test bed's CA: on loopback, or for
 * real nodes on the host's address of their network, where it is also the `kubernetes` Service's endpoint.
 */
export class Apiserver {
  private process?: ManagedProcess;
  private readonly ca: Buffer;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    private readonly pki: Pki,
    private readonly etcdEndpoint: string,
    readonly port: number,
    private readonly network?: ApiserverNetwork,
  ) {
    this.ca = readFileSync(pki.caCert);
  }

  static async start(binary: string, dir: string, pki: Pki, etcdEndpoint: string, network?: ApiserverNetwork): Promise<Apiserver> {
    const apiserver = new Apiserver(binary, dir, pki, etcdEndpoint, await freePort(), network);
    await apiserver.start();
    return apiserver;
  }

  get url(): string {
    return `https://${this.network?.hostIp ?? "127.0.0.1"}:${this.port}`;
  }

  async start(): Promise<void> {
    const pki = this.pki;
    const address = this.network?.hostIp ?? "127.0.0.1";
    const placement = this.network
      ? [`--service-cluster-ip-range=${this.network.serviceCidr}`, "--authorization-mode=Node,RBAC", `--enable-admission-plugins=${ADMISSION_PLUGINS.join(",")}`]
      : [
          // Room for more than 254 Services: bench/operator-scale runs 100 clusters of 6 each.
          "--service-cluster-ip-range=10.0.0.0/16",
          "--authorization-mode=RBAC",
          // Loopback is not a valid endpoint address for the kubernetes Service; without real nodes nothing needs it.
          "--endpoint-reconciler-type=none",
        ];
    this.process = new ManagedProcess("kube-apiserver", this.binary, [
      `--etcd-servers=${this.etcdEndpoint}`,
      `--bind-address=${address}`,
      `--advertise-address=${address}`,
      `--secure-port=${this.port}`,
      ...placement,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokenFile}`,
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--allow-privileged=true",
      // Nodes' hostnames resolve nowhere; their InternalIP reaches the kubelet (kwok's server on 127.0.0.1, or a real one).
      "--kubelet-preferred-address-types=InternalIP",
      "--profiling=false",
      "--v=0",
    ], join(this.dir, "kube-apiserver.log"));
    await this.process.waitUntil("ready", async () => (await this.get("/readyz")).status === 200, 90_000);
  }

  get(path: string) {
    return call(`${this.url}${path}`, { ca: this.ca, token: this.pki.adminToken });
  }

  /** The apiserver's Prometheus metrics (apiserver_request_total and friends). */
  async metricsText(): Promise<string> {
    return (await this.get("/metrics")).body;
  }

  async stop(): Promise<void> {
    await this.process?.stop(10_000);
  }

  /** Stops and starts the apiserver on the same port: every open watch breaks, clients must reconnect. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
