// The typed API client: paths, parameters and bodies come from schema.d.ts, generated from the
// server's OpenAPI document (npm run gen:api). Every request carries the session cookie, the
// CSRF token on writes and the current project; failures become ApiError.
import createClient, { type Middleware } from "openapi-fetch";
import { isUnsafe, readCookie, CSRF_COOKIE } from "./csrf";
import { apiErrorFrom, ApiError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

let currentProject: string | null = null;

/** The project the UI shows; sent as X-PyFlare-Project on every project-scoped call. */
export function setCurrentProject(slug: string | null): void {
  currentProject = slug;
}

const session: Middleware = {
  onRequest({ request }) {
    if (currentProject && !request.headers.has("X-PyFlare-Project")) {
      request.headers.set("X-PyFlare-Project", currentProject);
    }
    if (isUnsafe(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set("X-CSRFToken", token);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(session);

/** The header naming the project of a project-scoped call (pages pass it explicitly so a cached
 *  answer can never belong to another project than its query key says). */
export function inProject(project: string): { "X-PyFlare-Project": string } {
  return { "X-PyFlare-Project": project };
}

/** Unwrap an openapi-fetch result: the data, or throw an ApiError a page can explain. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, "network", `the server could not be reached (${String(err)})`);
  }
  const { data, error, response } = result;
  if (!response.ok) throw apiErrorFrom(response.status, error, `${response.status} ${response.statusText}`);
  return data as T;
}
