/** What a running test bed tells the tests: written by `testbed run`, read by useTestbed() through ORCHEST_TESTBED. */
export interface TestbedState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly apiserver: { readonly url: string };
  readonly etcd: { readonly endpoint: string };
  /** The OCI registry on loopback, as host:port. */
  readonly registry?: { readonly host: string };
  /** The project's images in that registry, by name (orchest-gitops, builder-buildctl, ...): "host/repo:tag@digest". */
  readonly images?: Readonly<Record<string, string>>;
  readonly nodes: readonly {
    readonly name: string;
    readonly runtime: "containerd" | "docker";
    /** Whether the node's pods really run (a kubelet), or are simulated (kwok). */
    readonly real: boolean;
    /** A real node's InternalIP. */
    readonly ip?: string;
    /** The real containerd behind a containerd node (simulated or real), as the host reaches it. */
    readonly containerd?: { readonly socket: string; readonly hostsDir: string };
    /** A real docker node's dockerd socket, as the host reaches it. */
    readonly dockerSocket?: string;
    /** A real node's cgroup (its daemons and pods). */
    readonly cgroup?: string;
  }[];
}
