import { describe, expect, it } from "vitest";
import { can, grants } from "./permissions";

const role = (permissions: string[]) => ({ slug: "p", name: "P", role: "x", permissions });

describe("can", () => {
  it("matches exact permissions and wildcards", () => {
    expect(grants("*", "apikeys:manage")).toBe(true);
    expect(grants("alerts:*", "alerts:write")).toBe(true);
    expect(grants("alerts:*", "alertsx:write")).toBe(false);
    expect(can(role(["costs:read:own", "drift:read"]), "costs:configure")).toBe(false);
    expect(can(role(["projects:admin"]), "projects:admin")).toBe(true);
    expect(can(undefined, "drift:read")).toBe(false);
  });
});
