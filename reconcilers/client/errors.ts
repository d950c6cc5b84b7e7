/** One cause of a refusal, as the Status object's details list it (`field` is a path like spec.selector). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A non-2xx answer of the API server, with the Status object's reason and causes when there are some. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly causes: readonly StatusCause[] = [],
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
 * A write lost a race: its resourceVersion was stale (409 Conflict). Note that a JSON patch whose `test`
 * op fails answers 422 Invalid, the same as a malformed patch; only re-reading the object tells them apart.
 */
export function isConflict(err: unknown): boolean {
  return isApiError(err, 409) && err.reason !== "AlreadyExists";
}
