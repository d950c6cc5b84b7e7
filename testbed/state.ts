/** What a running test bed tells the tests: written by `testbed run`, read by useTestbed() through ORCHEST_TESTBED. */
export interface TestbedState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly apiserver: { readonly url: string };
  readonly etcd: { readonly endpoint: string };
  /** The OCI registry on loopback, as host:port. */
  readonly registry?: { readonly host: string };
  readonly nodes: readonly {
    readonly name: string;
    readonly runtime: "containerd" | "docker";
    /** The real containerd behind a containerd node. */
    readonly containerd?: { readonly socket: string; readonly hostsDir: string };
  }[];
}
