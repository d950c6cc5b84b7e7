/** A signal that aborts when one of its parents does, or after a timeout; dispose() lets go of both. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Ends the deadline and lets go of the parents: call it once the work is done. */
  dispose(): void;
  /** Ends the deadline only: the parents can still abort (a stream, once open). */
  stopTimer(): void;
}

/**
 * Not AbortSignal.any: on Node 20 a composite with a timeout among its sources loses its abort once the garbage
 * collector runs (nodejs/node#57736), so a renewal meant to be cut off at the renew deadline ran on until the
 * request's own timeout, and a leader held a lease it no longer renewed. Here the timer and the parents' listeners
 * hold the controller strongly until it aborts or is disposed.
 */
export function linkedSignal(parents: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const listeners: [AbortSignal, () => void][] = [];
  let timer: NodeJS.Timeout | undefined;
  const stopTimer = () => clearTimeout(timer);
  const dispose = () => {
    stopTimer();
    for (const [parent, listener] of listeners) parent.removeEventListener("abort", listener);
    listeners.length = 0;
  };
  const abort = (reason: unknown) => {
    dispose();
    controller.abort(reason);
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      abort(parent.reason);
      return { signal: controller.signal, dispose, stopTimer };
    }
    const listener = () => abort(parent.reason);
    parent.addEventListener("abort", listener, { once: true });
    listeners.push([parent, listener]);
  }
  if (timeoutMs !== undefined) {
    // Unref'd like AbortSignal.timeout: a pending deadline does not keep the process alive.
    timer = setTimeout(() => abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")), timeoutMs).unref();
  }
  return { signal: controller.signal, dispose, stopTimer };
}
