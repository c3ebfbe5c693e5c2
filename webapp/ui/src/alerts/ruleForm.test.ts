import { describe, expect, it } from "vitest";
import { bodyFromForm, emptyForm, fieldErrors, formFromRule } from "./ruleForm";

const SAVED = {
  name: "gpt-4o errors", description: "", rule_type: "threshold", severity: "critical", enabled: true,
  config: { metric: "error_rate", operator: ">=", value: 0.05, window: "10m", filters: { model_id: "gpt-4o", service: "chat" }, group_by: ["service"] },
  channels: [3, 7], labels: { team: "ml" }, annotations: { runbook: "https://wiki.example.com/r" },
  evaluation_interval: "2m", group_by: ["model_id"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h",
};

describe("rule form ↔ API body", () => {
  it("a saved threshold rule survives the round trip through the form", () => {
    const { body, errors } = bodyFromForm(formFromRule(SAVED));
    expect(errors).toEqual({});
    expect(body).toEqual(SAVED);
  });

  it("builds the threshold config from its fields: a numeric value, blank rows and empty parts left out", () => {
    const form = { ...emptyForm(), name: " r ", value: "1e3", metric: "latency_p95_ms",
      filters: [{ key: "model_id", value: "m" }, { key: "", value: "" }], group_by: " model_id , service ,," };
    const { body, errors } = bodyFromForm(form);
    expect(errors).toEqual({});
    expect(body.name).toBe("r");
    expect(body.config).toEqual({ metric: "latency_p95_ms", operator: ">", value: 1000, window: "5m", filters: { model_id: "m" } });
    expect(body.group_by).toEqual(["model_id", "service"]);
  });

  it("other rule types keep their config as JSON, and say when it is not an object", () => {
    const rate = { ...SAVED, rule_type: "rate", config: { metric: "request_count", operator: ">", value: 50, change: "percent" } };
    const form = formFromRule(rate);
    expect(JSON.parse(form.configJson)).toEqual(rate.config);
    expect(bodyFromForm(form).body.config).toEqual(rate.config);
    expect(bodyFromForm({ ...form, configJson: "[1]" }).errors.config).toMatch(/JSON object/);
    expect(bodyFromForm({ ...form, configJson: "{" }).errors.config).toMatch(/not valid JSON/);
  });

  it("refuses what the server would refuse before sending, naming the field", () => {
    const form = { ...emptyForm(), value: "lots", labels: [{ key: "team", value: "a" }, { key: "team", value: "b" }] };
    const { errors } = bodyFromForm(form);
    expect(errors.name).toMatch(/name/);
    expect(errors.config).toMatch(/value must be a number/);
    expect(errors.labels).toMatch(/“team” is given twice/);
  });

  it("reads the server's 400 details per field", () => {
    expect(fieldErrors({ config: ["metric 'x' is not one of …"], group_wait: "not a duration" }))
      .toEqual({ config: "metric 'x' is not one of …", group_wait: "not a duration" });
  });
});
