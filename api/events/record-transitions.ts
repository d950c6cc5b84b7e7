import { ApiError, refOf, type KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { transitionsBetween, type Lifecycle, type LifecycleTransition } from "./transitions.js";

/**
 * Records the transitions of `obj` from `previous` (its status as read from the cache) to `next`, before `next`
 * is written: the outbox's deliveries exist before the status that shows the transition.
 *
 * Only from the stored state. The cache may still hold a status older than the one this controller wrote last;
 * the transitions computed from it were recorded already, and once their deliveries were delivered and cleaned
 * up, recording them again would create and send them again. So when there is anything to record, the object
 * is read back first: a resourceVersion other than the cached one means the cache is behind, nothing is
 * recorded, and the reconcile fails with a Conflict (it is retried on the newer state, whose watch event
 * comes anyway). The status write that follows is guarded by the same resourceVersion (updateStatus), and this
 * controller is the only writer of the status, one reconcile per object at a time: what is recorded is what
 * the write commits. A crash between recording and the write records again after restart, with the same event
 * ids: at-least-once.
 */
export async function recordTransitions(
  client: KubeClient,
  obj: KubeObject,
  previous: Lifecycle,
  next: Lifecycle,
  record: (transition: LifecycleTransition) => Promise<void>,
): Promise<void> {
  await recordIfCurrent(client, obj, transitionsBetween(previous, next), record);
}

/**
 * Records `transitions` of `obj` if the cached `obj` is the stored state (see recordTransitions), for objects whose
 * transitions are not a run's or a build's lifecycle.
 */
export async function recordIfCurrent<T>(client: KubeClient, obj: KubeObject, transitions: readonly T[], record: (transition: T) => Promise<void>): Promise<void> {
  if (transitions.length === 0) return;
  const ref = refOf(obj);
  const stored = await client.get(ref);
  if (stored?.metadata.resourceVersion !== obj.metadata.resourceVersion) {
    const path = `${ref.kind} ${ref.namespace}/${ref.name}`;
    throw new ApiError(409, "Conflict", `transitions not recorded: the cached resourceVersion ${obj.metadata.resourceVersion} is behind the stored ${stored?.metadata.resourceVersion ?? "(deleted)"}; retried on the stored state`, "GET", path);
  }
  for (const transition of transitions) await record(transition);
}
