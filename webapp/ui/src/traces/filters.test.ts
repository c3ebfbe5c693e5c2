import { describe, expect, test } from "vitest";
import { EMPTY, formatQuery, fromSearchParams, parseQuery, rangeBounds, toApiQuery, toSearchParams, tokenize, type TraceFilters } from "./filters";

const full: TraceFilters = {
  service: "checkout api", model: "gpt-4o", status: "error", environment: "prod", user: "u-1", session: "s=2&x",
  text: 'refund "policy"', range: "24h", minMs: 250, maxMs: 2000,
  attrs: [["region", "eu"], ["customer.tier", "pro plan"], ["empty", ""], ["weird=key", "a=b"]],
  sort: "cost", order: "asc", columns: ["region", "customer.tier"],
};

describe("filters ↔ URL", () => {
  test("every field survives a round trip through the URL", () => {
    const url = `?${toSearchParams(full).toString()}`;
    expect(fromSearchParams(new URLSearchParams(url))).toEqual(full);
  });
  test("defaults leave the URL empty", () => {
    expect(toSearchParams(EMPTY).toString()).toBe("");
    expect(fromSearchParams(new URLSearchParams(""))).toEqual(EMPTY);
  });
  test("garbage in the URL is ignored, not trusted", () => {
    const f = fromSearchParams(new URLSearchParams("status=maybe&min_ms=-3&max_ms=abc&sort=name&range=yesterday&attr.=x"));
    expect(f).toEqual(EMPTY);
  });
  test("attribute values stay exact (spaces, =, &, empty)", () => {
    const params = toSearchParams({ ...EMPTY, attrs: [["k", "a b&c=d"], ["e", ""]] });
    expect(fromSearchParams(new URLSearchParams(params.toString())).attrs).toEqual([["k", "a b&c=d"], ["e", ""]]);
  });
});

describe("the typed query", () => {
  test("format then parse gives the same filters", () => {
    const { filters, errors } = parseQuery(formatQuery(full), full);
    expect(errors).toEqual([]);
    expect(filters).toEqual(full);
  });
  test("reads keys, durations, attributes and free text", () => {
    const { filters, errors } = parseQuery('model:gpt-4o duration:>1.5s duration:<3m attr.region=eu refund "two words"');
    expect(errors).toEqual([]);
    expect(filters.model).toBe("gpt-4o");
    expect(filters.minMs).toBe(1500);
    expect(filters.maxMs).toBe(180_000);
    expect(filters.attrs).toEqual([["region", "eu"]]);
    expect(filters.text).toBe("refund two words");
  });
  test("mistakes are named, not silently dropped", () => {
    const { errors } = parseQuery("status:maybe modl:gpt-4o duration:fast");
    expect(errors).toHaveLength(3);
    expect(errors[1]).toContain("unknown filter “modl”");
  });
  test("quotes and escapes", () => {
    expect(tokenize('a "b c" "d \\" e" ""').map((t) => t.text)).toEqual(["a", "b c", 'd " e', ""]);
    const [attr] = tokenize('attr."a=b"="c d"');
    expect(attr).toEqual({ text: "attr.a=b=c d", colon: -1, equals: 8 });
  });
});

describe("API parameters", () => {
  test("map one to one, attributes as attr.<key>", () => {
    const now = Date.parse("2025-01-31T12:00:00Z");
    expect(toApiQuery(full, now)).toEqual({
      sort: "cost", order: "asc", service: "checkout api", model_id: "gpt-4o", status: "error", environment: "prod",
      user_id: "u-1", session_id: "s=2&x", q: 'refund "policy"', min_duration_ms: 250, max_duration_ms: 2000,
      start_time: "2025-01-30T12:00:00.000Z", "attr.region": "eu", "attr.customer.tier": "pro plan", "attr.empty": "",
      "attr.weird=key": "a=b", columns: "region,customer.tier",
    });
  });
  test("absolute ranges keep either end open", () => {
    expect(rangeBounds("2025-01-01T00:00:00Z..", 0)).toEqual({ start: "2025-01-01T00:00:00Z" });
    expect(rangeBounds("..2025-01-02T00:00:00Z", 0)).toEqual({ end: "2025-01-02T00:00:00Z" });
  });
});
