import { describe, expect, test } from "vitest";
import { apiErrorFrom, missingPermission } from "./errors";

describe("missing permission from a 403", () => {
  test("the RBAC refusal names it in quotes", () => {
    expect(missingPermission("your role 'viewer' in project 'shop' does not grant 'apikeys:manage'")).toBe("apikeys:manage");
  });
  test("staff-only permissions", () => {
    expect(missingPermission("'projects:create' is reserved to staff users")).toBe("projects:create");
  });
  test("the websocket's wording", () => {
    expect(missingPermission("your role 'viewer' lacks alerts:read")).toBe("alerts:read");
  });
  test("other refusals name none", () => {
    expect(missingPermission("CSRF Failed: CSRF token missing.")).toBeNull();
  });
});

test("errors keep the server's message and classify the status", () => {
  const err = apiErrorFrom(503, { error: "storage_unavailable", message: "ClickHouse did not answer" }, "x");
  expect(err.kind).toBe("unavailable");
  expect(err.message).toBe("ClickHouse did not answer");
  expect(apiErrorFrom(401, "not json", "401 Unauthorized").kind).toBe("unauthenticated");
  const forbidden = apiErrorFrom(403, { error: "permission_denied", message: "does not grant 'costs:read'" }, "x");
  expect(forbidden.permission).toBe("costs:read");
});
