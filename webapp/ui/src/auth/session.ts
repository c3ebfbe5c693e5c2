// Who is signed in (GET /auth/me), sign-in and sign-out. A 401 anywhere sends the user to /login.
import { useQuery } from "@tanstack/react-query";
import { api, must, type Schemas } from "../api/client";
import { CSRF_COOKIE, readCookie } from "../api/csrf";
import { queryClient } from "../api/queryClient";

export type Me = Schemas["Me"];
export type ProjectRole = Schemas["ProjectRole"];

export const ME_KEY = ["auth", "me"] as const;

export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: () => must(api.GET("/api/v1/auth/me")),
    staleTime: 60_000,
    meta: { handlesAuth: true },
  });
}

export async function signIn(email: string, password: string): Promise<Me> {
  // the login needs the CSRF token (serving the page sets its cookie; ask for one when it is missing)
  if (!readCookie(CSRF_COOKIE)) await must(api.GET("/api/v1/auth/csrf"));
  const me = await must(api.POST("/api/v1/auth/login", { body: { email, password } }));
  queryClient.setQueryData(ME_KEY, me);
  return me;
}

export async function signOut(): Promise<void> {
  await must(api.POST("/api/v1/auth/logout"));
  queryClient.clear();
}

/** Whether a role holds one of the permissions (the server lists what each of the user's roles holds). */
export function holds(project: ProjectRole | undefined, ...anyOf: string[]): boolean {
  if (!project) return false;
  return anyOf.some((p) => project.permissions.includes(p));
}

/** Where to go after signing in: a same-site path only (never an absolute URL from the query). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}
