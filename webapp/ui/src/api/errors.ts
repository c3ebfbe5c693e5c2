// Readable API failures: what the user can do about a 401, 403 or 503 rather than a status code.

export type ErrorKind = "unauthenticated" | "forbidden" | "not_found" | "unavailable" | "invalid" | "network" | "server";

export class ApiError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly code: string;
  /** For a 403: the permission the caller's role lacks, when the server named it. */
  readonly permission: string | null;
  /** For a 400: the server's per-field messages ({"field": ["..."]}), so a form can place them. */
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.kind = kindOf(status);
    this.permission = status === 403 ? missingPermission(message) : null;
    this.details = details;
  }
}

export function kindOf(status: number): ErrorKind {
  if (status === 0) return "network";
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 503) return "unavailable";
  if (status >= 400 && status < 500) return "invalid";
  return "server";
}

/** The server words refusals as "... does not grant 'traces:read'" or "... lacks traces:read". */
export function missingPermission(message: string): string | null {
  const quoted = /grant '([a-z_]+(?::[a-z_*]+)+)'/.exec(message) ?? /'([a-z_]+(?::[a-z_*]+)+)' is reserved/.exec(message);
  if (quoted?.[1]) return quoted[1];
  const bare = /lacks ([a-z_]+(?::[a-z_*]+)+)/.exec(message);
  return bare?.[1] ?? null;
}

/** Build an ApiError from a failed response body ({"error", "message"} or anything else). */
export function apiErrorFrom(status: number, body: unknown, fallback: string): ApiError {
  if (body && typeof body === "object") {
    const { error, message, details } = body as { error?: unknown; message?: unknown; details?: unknown };
    if (typeof message === "string") return new ApiError(status, typeof error === "string" ? error : "error", message, details ?? null);
  }
  return new ApiError(status, "error", fallback);
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
