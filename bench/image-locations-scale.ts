/**
 * Benchmark: I images Present on each of N kwok nodes (default 100 × 100 = 10,000 ImageLocations), next to the same
 * information in one object per node, the layout of OpenKruise's NodeImage (bench/nodeimages.bench.orchest.io.yaml,
 * a CRD of this bench only), both in one control plane in one run. For each layout:
 *  1. the writes that create it (create, then status: 16 in flight), and their rate;
 *  2. what etcd holds for it: keys and the bytes of their current values;
 *  3. reads of every node's images and of one node's (ImageLocations by field selector spec.node; that node's
 *     NodeImage by name): a LIST timed here, the apiserver's own mean (apiserver_request_duration_seconds), and
 *     the wall time of `kubectl get` (table and -o json); and a write of one image's status, which rewrites the
 *     object that holds it (what etcd stores and every watcher receives);
 *  4. memory: the RSS of a real orchest-api process and of one real node-agent process (node 1, whose I images a
 *     real containerd holds) once their caches have synced; beside them, processes that only cache one layout
 *     (every node's objects, or one node's) with the same informers, so that each layout's share is seen.
 * The objects are what orchest-api and the agents leave at steady state: a Succeeded ImageBuild per image, its
 * building node's location recorded built by the api, every other node's created by its agent, pulled from a peer.
 *
 *   node lib/bench/image-locations-scale.js [nodes, default 100] [images, default 100]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageLocationStatus } from "../crds/types/index.js";
import { BUILD_NAME_LABEL, BUILD_UID_LABEL, BUILT_LABEL, BUILT_VALUE, IMAGE_LOCATION, imageLocationName, MANAGED_BY, MANAGED_BY_LABEL, PEER_ADDRESS_ANNOTATION } from "../agent/location-identity.js";
import { RegistryClient } from "../agent/registry/client.js";
import { ContainerdDriver } from "../agent/runtime/containerd-driver.js";
import { startAgentProcess } from "../agent/testing/agent-process.js";
import { importNewImage } from "../agent/testing/built-image.js";
import { startApi } from "../api/api-process.js";
import { IMAGE_BUILD } from "../api/builds/index.js";
import { installCrds } from "../operator/install.js";
import { KubeClient, updateStatus, type GroupVersionKind, type KubeObject, type OwnerReference } from "../reconcilers/index.js";
import { printComparison, waitFor } from "../reconcilers/testing.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster, Containerd, type Testbed } from "../testbed/index.js";
import { freePort } from "../testbed/ports.js";
import { sleep } from "../testbed/process.js";
import { quietLog } from "../testbed/progress.js";
import { PRODUCTION_ARGS } from "./agent-idle.js";
import { cachedKindRss, type CacheScope } from "./cache-kind.js";
import { processUsage } from "./process-usage.js";
import { countsSince, etcdDatabaseBytes, etcdStoredBytes, formatCounts, mebibytes, requestCounts, requestSeconds, writesIn } from "./server-counts.js";
import { runAsScript } from "./run-as-script.js";

const NODE_IMAGE: GroupVersionKind = { apiVersion: "bench.orchest.io/v1alpha1", kind: "NodeImage" };
const NODE_IMAGE_CRD = fileURLToPath(new URL("../../bench/nodeimages.bench.orchest.io.yaml", import.meta.url));
const NAMESPACE = "orchest";
/** The in-cluster registry's address, as orchest-api names built images after it. */
const REGISTRY = "10.96.0.10";
const IN_FLIGHT = 16;
const REPEATS = 5;
/** After a process's caches synced: its start-up work settles before its RSS is read. */
const SETTLE_MS = 10_000;
const MiB = 2 ** 20;

interface Image {
  readonly reference: string;
  readonly digest: string;
  /** As the node's runtime reports it: what the agent writes, so that its verification finds nothing to write. */
  readonly size: number;
  readonly builtOn: string;
  readonly build: { readonly name: string; readonly uid: string };
}

interface NodeInfo {
  readonly name: string;
  readonly owner: OwnerReference;
  /** Where its agent serves peers (the measured node's: the real agent's). */
  readonly peer: string;
}

type ImageStatus = Omit<ImageLocationStatus, "observedGeneration" | "conditions">;

/** What the agent of `node` reports for `image` once it holds it (agent/location-reconciler.ts' words). */
function presentOn(image: Image, node: NodeInfo, peerOf: (node: string) => string, verifiedAt: string): ImageStatus {
  return image.builtOn === node.name
    ? { phase: "Present", reason: "Pushed", message: `built here, pushed 2 blobs (${image.size} bytes) to the registry`, source: "built", pushedToRegistry: true, size: image.size, lastVerifiedTime: verifiedAt }
    : { phase: "Present", reason: "Pulled", message: `pulled from peer ${peerOf(image.builtOn)}`, source: "pulled", size: image.size, lastVerifiedTime: verifiedAt };
}

/** A node's ImageLocation of `image`: recorded built by orchest-api on the building node, else created by the node's agent. */
function imageLocation(image: Image, node: NodeInfo): KubeObject {
  const built = image.builtOn === node.name;
  return {
    ...IMAGE_LOCATION,
    metadata: {
      name: imageLocationName(image.reference, image.digest, node.name),
      namespace: NAMESPACE,
      labels: built
        ? { [BUILT_LABEL]: BUILT_VALUE, [BUILD_NAME_LABEL]: image.build.name, [BUILD_UID_LABEL]: image.build.uid, [MANAGED_BY_LABEL]: "orchest-api" }
        : { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { [PEER_ADDRESS_ANNOTATION]: node.peer },
      ownerReferences: [node.owner],
    },
    spec: { image: image.reference, digest: image.digest, node: node.name },
  };
}

/** The same, one object per node: spec lists the node's images, status what its agent found. */
function nodeImage(images: readonly Image[], node: NodeInfo): KubeObject {
  return {
    ...NODE_IMAGE,
    metadata: { name: node.name, annotations: { [PEER_ADDRESS_ANNOTATION]: node.peer }, ownerReferences: [node.owner] },
    spec: { images: images.map((image) => ({ image: image.reference, digest: image.digest, ...(image.builtOn === node.name && { build: image.build }) })) },
  };
}

/** A Succeeded ImageBuild, as orchest-api leaves it: the api keeps the build of every image in use. */
function imageBuild(name: string, project: string, environment: string, tag: number): KubeObject {
  return {
    ...IMAGE_BUILD,
    metadata: { name, namespace: NAMESPACE },
    spec: {
      image: `orchest-env-${project}-${environment}:${tag}`,
      purpose: "Environment",
      project,
      environment,
      context: { persistentVolumeClaim: { claimName: "userdir-pvc", path: `/userdir/projects/${project}/` } },
      dockerfile: `.orchest/environments/${environment}/Dockerfile`,
    },
  };
}

/** Runs `each` over `items`, at most `limit` at a time. */
async function inFlight<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

/** Create, then the status (the status subresource ignores it in a create): the two writes each object costs at least. */
async function createAll(client: KubeClient, objects: readonly { body: KubeObject; status: Record<string, unknown> }[]): Promise<{ seconds: number; writes: number }> {
  const started = performance.now();
  await inFlight(objects, IN_FLIGHT, async ({ body, status }) => {
    await updateStatus(client, await client.create(body), status);
  });
  return { seconds: (performance.now() - started) / 1000, writes: objects.length * 2 };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median wall time (ms) of `REPEATS` runs of `request`, and the apiserver's own mean (ms) over the requests it counted as [resource, verb, subresource]. */
async function timedRequests(tb: Pick<Testbed, "kubeConfig">, [resource, verb, subresource]: readonly [string, string, string?], request: (i: number) => Promise<unknown>): Promise<{ ms: number; serverMs: number }> {
  const before = await requestSeconds(tb, resource, verb, subresource);
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await request(i);
    times.push(performance.now() - started);
  }
  const after = await requestSeconds(tb, resource, verb, subresource);
  return { ms: median(times), serverMs: ((after.seconds - before.seconds) / Math.max(1, after.count - before.count)) * 1000 };
}

/** Median wall time (ms) of `kubectl args`, its output thrown away (still formatted and written). */
function timedKubectl(kubectl: string, kubeconfig: string, args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    const run = spawnSync(kubectl, ["--kubeconfig", kubeconfig, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")}: exit ${run.status}: ${run.stderr.toString().slice(0, 300)}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

const rssOf = (pid: number | undefined) => processUsage((candidate) => candidate === String(pid));

export async function run(nodes = 100, images = 100): Promise<void> {
  const bootStarted = performance.now();
  const names = Array.from({ length: nodes }, (_, i) => `il-node-${i + 1}`);
  const cluster = await Cluster.start({ nodes: names.map((name) => ({ name, runtime: "containerd" as const })), containerd: false, registry: false });
  const tb = { kubeConfig: cluster.kubeConfig(), etcd: cluster.state().etcd };
  const client = new KubeClient(cluster.kubeConfig());
  const kubectl = (await ensureBinaries(quietLog)).kubectl!;
  // Only the measured node has a real runtime: its agent verifies its images there.
  const measured = names[0]!;
  const containerd = await Containerd.forSimulatedNode(join(cluster.dir, "nodes", measured));
  try {
    installCrds(cluster.kubeconfig, kubectl);
    execFileSync(kubectl, ["--kubeconfig", cluster.kubeconfig, "apply", "-f", NODE_IMAGE_CRD]);
    execFileSync(kubectl, ["--kubeconfig", cluster.kubeconfig, "wait", "--for=condition=Established", "--timeout=60s", "crd/nodeimages.bench.orchest.io"]);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
    const peerPort = await freePort();
    const uids = new Map((await client.list({ apiVersion: "v1", kind: "Node" })).items.map((node) => [node.metadata.name!, node.metadata.uid!]));
    const nodeInfos: NodeInfo[] = names.map((name, i) => ({
      name,
      owner: { apiVersion: "v1", kind: "Node", name, uid: uids.get(name)! },
      peer: name === measured ? `127.0.0.1:${peerPort}` : `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:7070`,
    }));
    const peerOf = (node: string) => nodeInfos.find((n) => n.name === node)!.peer;

    // The images: real ones in the measured node's containerd, each built on some node, its build kept.
    const placing = performance.now();
    const driver = new ContainerdDriver({ socket: containerd.socket, registry: new RegistryClient() });
    const placed: Image[] = [];
    const builds: { body: KubeObject; status: Record<string, unknown> }[] = [];
    for (let j = 0; j < images; j++) {
      const [project, environment, tag] = [randomUUID(), randomUUID(), 1 + (j % 5)];
      const reference = `${REGISTRY}/orchest-env-${project}-${environment}:${tag}`;
      const { digest } = await importNewImage(containerd.socket, reference, 1024);
      const size = (await driver.inspect(digest))!.size;
      const builtOn = names[j % nodes]!;
      const body = imageBuild(`orchest-env-${environment.slice(0, 8)}-${tag}`, project, environment, tag);
      const finished = new Date().toISOString();
      builds.push({ body, status: { observedGeneration: 1, phase: "Succeeded", reason: "Built", message: `built on ${builtOn}`, node: builtOn, runtime: "containerd", podName: `${body.metadata.name}-builder`, image: reference, digest, startTime: finished, completionTime: finished } });
      placed.push({ reference, digest, size, builtOn, build: { name: body.metadata.name!, uid: "" } });
    }
    driver.close();
    // The builds first: a built location names its build's UID.
    const buildUids = new Map<string, string>();
    await inFlight(builds, IN_FLIGHT, async ({ body, status }) => {
      const created = await client.create(body);
      buildUids.set(created.metadata.name!, created.metadata.uid!);
      await updateStatus(client, created, status);
    });
    const all = placed.map((image) => ({ ...image, build: { name: image.build.name, uid: buildUids.get(image.build.name)! } }));
    process.stdout.write(
      `image-locations-scale: ${nodes} kwok nodes (test bed up in ${((performance.now() - bootStarted) / 1000).toFixed(0)} s), ${images} images (1 KiB each, in ${measured}'s containerd) and their ${images} Succeeded ImageBuilds placed in ${((performance.now() - placing) / 1000).toFixed(0)} s\n`,
    );

    // 1–2. Each layout's writes and bytes; NodeImages first, so that each growth of etcd's file is its own.
    const verifiedAt = new Date().toISOString();
    const dbBefore = await etcdDatabaseBytes(tb);
    const niCreate = await createAll(
      client,
      nodeInfos.map((node) => ({ body: nodeImage(all, node), status: { observedGeneration: 1, images: all.map((image) => ({ image: image.reference, ...presentOn(image, node, peerOf, verifiedAt) })) } })),
    );
    const dbAfterNodeImages = await etcdDatabaseBytes(tb);
    const ilCreate = await createAll(
      client,
      nodeInfos.flatMap((node) => all.map((image) => ({ body: imageLocation(image, node), status: { observedGeneration: 1, ...presentOn(image, node, peerOf, verifiedAt) } }))),
    );
    const dbAfterLocations = await etcdDatabaseBytes(tb);
    const ilStored = await etcdStoredBytes(tb, "/registry/orchest.io/imagelocations/");
    const niStored = await etcdStoredBytes(tb, "/registry/bench.orchest.io/nodeimages/");
    process.stdout.write(
      `image-locations-scale: created ${nodes * images} ImageLocations in ${ilCreate.seconds.toFixed(1)} s (${ilCreate.writes} writes, ${(ilCreate.writes / ilCreate.seconds).toFixed(0)} writes/s, ${((nodes * images) / ilCreate.seconds).toFixed(0)} objects/s, ${IN_FLIGHT} in flight); ` +
        `${nodes} NodeImages in ${niCreate.seconds.toFixed(1)} s (${niCreate.writes} writes)\n` +
        `  etcd's database file: ${mebibytes(dbBefore)} before, ${mebibytes(dbAfterNodeImages)} after the NodeImages, ${mebibytes(dbAfterLocations)} after the ImageLocations (history included: each object's create and status write)\n`,
    );

    // 3. Reads: every node's images, one node's.
    const one = `spec.node=${measured}`;
    const ilAll = await timedRequests(tb, ["imagelocations", "LIST"], () => client.list(IMAGE_LOCATION));
    const niAll = await timedRequests(tb, ["nodeimages", "LIST"], () => client.list(NODE_IMAGE));
    const ilOne = await timedRequests(tb, ["imagelocations", "LIST"], () => client.list(IMAGE_LOCATION, { fieldSelector: one }));
    const niOne = await timedRequests(tb, ["nodeimages", "GET"], () => client.get({ ...NODE_IMAGE, name: measured }));

    // One image's status changes on one node (another than the measured one): the object it lives in is rewritten.
    const other = nodeInfos.at(-1)!;
    const reverified = (i: number) => new Date(Date.parse(verifiedAt) + (i + 1) * 1000).toISOString();
    const location = imageLocation(all[0]!, other);
    const ilWrite = await timedRequests(tb, ["imagelocations", "PATCH", "status"], async (i) => {
      const current = (await client.get({ ...IMAGE_LOCATION, namespace: NAMESPACE, name: location.metadata.name! }))!;
      await updateStatus(client, current, { ...(current.status as Record<string, unknown>), lastVerifiedTime: reverified(i) });
    });
    const niWrite = await timedRequests(tb, ["nodeimages", "PATCH", "status"], async (i) => {
      const current = (await client.get({ ...NODE_IMAGE, name: other.name }))!;
      const status = current.status as { images: { image: string }[] };
      await updateStatus(client, current, { ...status, images: status.images.map((image, k) => (k === 0 ? { ...image, lastVerifiedTime: reverified(i) } : image)) });
    });
    const k = (...args: string[]) => timedKubectl(kubectl, cluster.kubeconfig, args);
    const kubectlRows: Array<[string, number, number]> = [
      ["kubectl get, every node's: il -A | nodeimages (ms)", k("get", "il", "-A"), k("get", "nodeimages")],
      ["kubectl get, one node's: il -A --field-selector | nodeimage N (ms)", k("get", "il", "-A", "--field-selector", one), k("get", "nodeimage", measured)],
      ["the same, -o json, every node's (ms)", k("get", "il", "-A", "-o", "json"), k("get", "nodeimages", "-o", "json")],
      ["the same, -o json, one node's (ms)", k("get", "il", "-A", "--field-selector", one, "-o", "json"), k("get", "nodeimage", measured, "-o", "json")],
    ];

    // 4. Memory: each layout cached alone, then the real processes.
    const cached = (label: string, gvk: GroupVersionKind, scope: CacheScope) => cachedKindRss(cluster.kubeconfig, join(cluster.dir, `cache-${label}.log`), gvk, scope, SETTLE_MS);
    const caches = {
      none: await cached("none", IMAGE_LOCATION, { namespace: NAMESPACE, fieldSelector: "spec.node=none" }),
      ilAll: await cached("il-all", IMAGE_LOCATION, { namespace: NAMESPACE }),
      ilOne: await cached("il-one", IMAGE_LOCATION, { namespace: NAMESPACE, fieldSelector: one }),
      niAll: await cached("ni-all", NODE_IMAGE, {}),
      niOne: await cached("ni-one", NODE_IMAGE, { fieldSelector: `metadata.name=${measured}` }),
    };

    const api = await startApi(cluster.kubeconfig, [`--namespace=${NAMESPACE}`, `--registry=${REGISTRY}`]);
    let apiUsage: ReturnType<typeof processUsage>;
    try {
      await waitFor("the api's caches to sync", async () => (await fetch(`${api.url}/readyz`)).status === 200, 300_000, 200);
      await sleep(SETTLE_MS);
      apiUsage = rssOf(api.child.pid);
    } finally {
      await api.stop();
    }

    const probePort = await freePort();
    const locationsBefore = await requestCounts(tb, "imagelocations");
    const agent = startAgentProcess({
      kubeconfig: cluster.kubeconfig,
      node: measured,
      namespace: NAMESPACE,
      socket: containerd.socket,
      registryHost: REGISTRY,
      logDir: mkdtempSync(join(tmpdir(), "image-locations-scale-")),
      extraArgs: [...PRODUCTION_ARGS, `--peer-listen=127.0.0.1:${peerPort}`, `--hosts-dir=${containerd.hostsDir}`, `--http-listen=127.0.0.1:${probePort}`],
    });
    let agentUsage: ReturnType<typeof processUsage>;
    try {
      await agent.waitUntil("synced", async () => (await fetch(`http://127.0.0.1:${probePort}/readyz`)).status === 200, 300_000);
      await sleep(SETTLE_MS);
      agentUsage = rssOf(agent.pid);
    } finally {
      await agent.stop();
    }
    const agentRequests = countsSince(locationsBefore, await requestCounts(tb, "imagelocations"));

    const kib = (bytes: number) => bytes / 1024;
    const mib = (bytes: number) => bytes / MiB;
    printComparison(`image-locations-scale: ${nodes} nodes × ${images} images; ours: one ImageLocation per (image, node); baseline: one NodeImage per node (OpenKruise's layout)`, "NodeImage", [
      ["objects", nodes * images, nodes],
      ["writes to create (create + status)", ilCreate.writes, niCreate.writes],
      [`seconds to create (${IN_FLIGHT} in flight)`, ilCreate.seconds, niCreate.seconds],
      ["etcd: current values, every node's (KiB)", kib(ilStored.bytes), kib(niStored.bytes)],
      ["etcd: bytes per image on a node", ilStored.bytes / (nodes * images), niStored.bytes / (nodes * images)],
      ["LIST every node's, here (ms, median)", ilAll.ms, niAll.ms],
      ["  the apiserver's own mean (ms)", ilAll.serverMs, niAll.serverMs],
      ["LIST/GET one node's, here (ms, median)", ilOne.ms, niOne.ms],
      ["  the apiserver's own mean (ms)", ilOne.serverMs, niOne.serverMs],
      ["one image's status write: bytes etcd stores and each watcher gets", ilStored.bytes / ilStored.keys, niStored.bytes / niStored.keys],
      ["  GET + status PATCH, here (ms, median)", ilWrite.ms, niWrite.ms],
      ["  the apiserver's own mean for the PATCH (ms)", ilWrite.serverMs, niWrite.serverMs],
      ...kubectlRows,
      ["RSS caching every node's (MiB)", mib(caches.ilAll.rssBytes), mib(caches.niAll.rssBytes)],
      ["  beyond a process caching nothing (MiB)", mib(caches.ilAll.rssBytes - caches.none.rssBytes), mib(caches.niAll.rssBytes - caches.none.rssBytes)],
      ["RSS caching one node's (MiB)", mib(caches.ilOne.rssBytes), mib(caches.niOne.rssBytes)],
    ]);
    const cacheDelta = caches.ilAll.rssBytes - caches.niAll.rssBytes;
    process.stdout.write(
      `  (${caches.ilAll.objects} and ${caches.niAll.objects} objects cached; one node's: ${caches.ilOne.objects} and ${caches.niOne.objects}; the process caching nothing: ${mib(caches.none.rssBytes).toFixed(0)} MiB)\n` +
        `image-locations-scale: real processes once their caches synced (+${SETTLE_MS / 1000} s): orchest-api RSS ${mib(apiUsage.rssBytes).toFixed(0)} MiB (peak ${mib(apiUsage.peakRssBytes).toFixed(0)}), ` +
        `node-agent of ${measured} RSS ${mib(agentUsage.rssBytes).toFixed(0)} MiB (peak ${mib(agentUsage.peakRssBytes).toFixed(0)}); both cache every ImageLocation of their namespace (no field selector: ` +
        `the api places pods by every node's images, the agent's waves read other nodes' locations of its images)\n` +
        `  with NodeImages cached instead (the difference of the two caching processes, ${mib(cacheDelta).toFixed(0)} MiB): orchest-api ≈ ${mib(apiUsage.rssBytes - cacheDelta).toFixed(0)} MiB, node-agent ≈ ${mib(agentUsage.rssBytes - cacheDelta).toFixed(0)} MiB (estimates, not measured processes)\n` +
        `  requests on imagelocations while the agent started and verified its ${images} images: ${formatCounts(agentRequests)} (${writesIn(agentRequests)} writes)\n`,
    );
  } finally {
    await containerd.stop();
    client.close();
    await cluster.stop();
  }
}

runAsScript(import.meta.url, ([nodes, images]) => run(Number(nodes ?? 100), Number(images ?? 100)), { exitWhenDone: true });
