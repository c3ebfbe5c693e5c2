// Django's CSRF cookie (set when index.html is served) echoed in X-CSRFToken on unsafe requests,
// which DRF's SessionAuthentication requires for every session-authenticated write.

export const CSRF_COOKIE = "csrftoken";

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function isUnsafe(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS", "TRACE"].includes(method.toUpperCase());
}
