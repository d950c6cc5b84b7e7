/** A non-2xx answer of the API server, with the Status object's reason when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = "ApiError";
  }
}

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status);
}

export const isNotFound = (err: unknown): boolean => isApiError(err, 404);
export const isAlreadyExists = (err: unknown): boolean => isApiError(err, 409) && err.reason === "AlreadyExists";
export const isGone = (err: unknown): boolean => isApiError(err, 410);

/**
 * Our writes are optimistic: a stale resourceVersion answers 409 Conflict, and a failed JSON-patch `test`
 * op on metadata.resourceVersion answers 422 with the patch error. Both mean "re-read and retry".
 */
export function isConflict(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 409) return err.reason !== "AlreadyExists";
  return err.status === 422 && /test operation|testing value/i.test(err.message);
}
