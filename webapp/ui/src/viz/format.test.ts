import { describe, expect, it } from "vitest";
import { formatCost } from "../traces/format";
import { costOf, usd } from "./format";

describe("money below a micro-dollar", () => {
  it("keeps two significant digits instead of rounding to zero or switching to an exponent", () => {
    expect(usd(1.8e-7)).toBe("$0.00000018");
    expect(usd(-1.8e-7)).toBe("-$0.00000018");
    expect(formatCost(1.8e-7)).toBe("$0.00000018");
  });
  it("leaves larger amounts as they were", () => {
    expect(usd(0.000846229)).toBe("$0.000846");
    expect(usd(0.00676983)).toBe("$0.006770");
    expect(usd(12.345)).toBe("$12.35");
    expect(formatCost(0.00009465)).toBe("$0.000095");
    expect(formatCost(0)).toBe("$0");
  });
});

describe("costOf", () => {
  it("prefers the decimal string, then the float, then micro-dollars", () => {
    expect(costOf({ cost_usd_exact: "0.000000180000", cost_usd: 2e-7, cost_micros: 0 })).toBe(1.8e-7);
    expect(costOf({ cost_usd: 1.8e-7, cost_micros: 0 })).toBe(1.8e-7);
    expect(costOf({ cost_micros: 2_500 })).toBe(0.0025);
    expect(costOf({})).toBe(0);
  });
});
