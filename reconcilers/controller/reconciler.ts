/** What a reconcile is asked to do: the key of one primary object, which may no longer exist. */
export interface Request {
  namespace?: string;
  name: string;
}

/** What a reconcile asks for next: nothing (done) or another run after a delay, failures aside. */
export interface Result {
  requeueAfter?: number;
}

export interface ReconcileContext {
  /** Aborted when the controller stops: long reconciles should give up early. */
  signal: AbortSignal;
}

/**
 * One async function of a key. Level-based: it reads the current state (from the cache) and makes the
 * world match, whatever event woke it. Throwing retries with per-key backoff; a TerminalError does not.
 */
export type Reconciler = (request: Request, context: ReconcileContext) => Promise<Result | void>;

/** An error that retrying cannot fix (e.g. an invalid spec): logged and counted, never requeued. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}
