import { describe, expect, it } from "vitest";
import { formatMatcher, matcherProblem, matchersFromLabels, matchesLabels, parseMatcher } from "./matchers";

describe("silence this: labels → matchers", () => {
  it("makes one exact matcher per label, sorted by name", () => {
    const rows = matchersFromLabels({ severity: "critical", alertname: "errors", model_id: "gpt-4o" });
    expect(rows.map(formatMatcher)).toEqual(['alertname="errors"', 'model_id="gpt-4o"', 'severity="critical"']);
  });

  it("quotes values with quotes, backslashes, spaces and regex characters so they stay literal", () => {
    const labels = { path: 'C:\\tmp\\"x"', query: "a|b .* (c)", empty: "" };
    const rows = matchersFromLabels(labels);
    expect(rows.map(formatMatcher)).toEqual(['empty=""', 'path="C:\\\\tmp\\\\\\"x\\""', 'query="a|b .* (c)"']);
    // each text parses back to the same value, and the set selects exactly the alert it came from
    expect(rows.map((r) => parseMatcher(formatMatcher(r)))).toEqual(rows);
    expect(matchesLabels(rows, labels)).toBe(true);
    expect(matchesLabels(rows, { ...labels, query: "a" })).toBe(false);
  });

  it("drops label names a matcher cannot name", () => {
    expect(matchersFromLabels({ "bad name": "x", ok: "y" }).map((r) => r.name)).toEqual(["ok"]);
  });
});

describe("matcher texts", () => {
  it("parses every operator, quoted or bare", () => {
    expect(parseMatcher('env=~"prod|staging"')).toEqual({ name: "env", op: "=~", value: "prod|staging" });
    expect(parseMatcher("service!=batch")).toEqual({ name: "service", op: "!=", value: "batch" });
    expect(parseMatcher('team!~"ml.*"')).toEqual({ name: "team", op: "!~", value: "ml.*" });
    expect(parseMatcher("no operator")).toBeNull();
  });

  it("anchors regexes fully and treats a missing label as empty, like the server", () => {
    const rows = [{ name: "service", op: "=~" as const, value: "api|web" }];
    expect(matchesLabels(rows, { service: "api" })).toBe(true);
    expect(matchesLabels(rows, { service: "api-gateway" })).toBe(false);
    expect(matchesLabels([{ name: "team", op: "=", value: "" }], {})).toBe(true);
  });

  it("names what is wrong with a row", () => {
    expect(matcherProblem({ name: "1x", op: "=", value: "a" })).toMatch(/not a label name/);
    expect(matcherProblem({ name: "x", op: "=~", value: "(" })).toMatch(/not a regular expression/);
    expect(matcherProblem({ name: "x", op: "=", value: "(" })).toBeNull();
  });
});
