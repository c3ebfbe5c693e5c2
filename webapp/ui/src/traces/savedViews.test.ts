import { describe, expect, it } from "vitest";
import { fromSearchParams } from "./filters";
import { stateOf, viewSearch } from "./savedViews";

describe("saved view URLs", () => {
  it("opens a view with its query and id, and saves the state without the id", () => {
    const query = "model=gpt-4o&attr.customer.tier=pro+plus&cols=region";
    const search = new URLSearchParams(viewSearch({ id: 7, query }));
    expect(search.get("view")).toBe("7");
    expect(stateOf(search)).toBe(new URLSearchParams(query).toString());
    expect(fromSearchParams(search).attrs).toEqual([["customer.tier", "pro plus"]]);
  });
});
