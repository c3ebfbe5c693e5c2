import { expect, test } from "vitest";
import { readCookie } from "../api/csrf";
import { holds, safeNext } from "./session";

test("after login only same-site paths are followed", () => {
  expect(safeNext("/p/shop/traces?model=gpt-4o")).toBe("/p/shop/traces?model=gpt-4o");
  expect(safeNext("https://evil.example/")).toBe("/");
  expect(safeNext("//evil.example/")).toBe("/");
  expect(safeNext(null)).toBe("/");
});

test("the CSRF token is read from the cookie jar", () => {
  expect(readCookie("csrftoken", "sessionid=abc; csrftoken=tok%3D1; theme=dark")).toBe("tok=1");
  expect(readCookie("csrftoken", "sessionid=abc")).toBeNull();
});

test("roles hold the permissions the server listed", () => {
  const viewer = { slug: "s", name: "S", role: "viewer", permissions: ["traces:read", "costs:read:own"] };
  expect(holds(viewer, "costs:read", "costs:read:own")).toBe(true);
  expect(holds(viewer, "apikeys:manage")).toBe(false);
  expect(holds(undefined, "traces:read")).toBe(false);
});
