import { expect, test } from "vitest";
import { gridTemplate, startLabel } from "./TraceTable";

const local = (...parts: [number, number, number, number?, number?, number?, number?]) => new Date(...parts);
const dec6: [number, number] = [local(2026, 11, 6).getTime(), local(2026, 11, 7).getTime()];

test("a start of today shows the time only, any other day the full date", () => {
  expect(startLabel(local(2026, 11, 6, 23, 45, 52, 123).toISOString(), dec6)).toBe("23:45:52.123");
  expect(startLabel(local(2026, 11, 6, 0, 0, 0, 0).toISOString(), dec6)).toBe("00:00:00.000");
  expect(startLabel(local(2026, 11, 5, 23, 59, 59, 999).toISOString(), dec6)).toBe("2026-12-05 23:59:59.999");
  expect(startLabel(local(2026, 11, 7, 0, 0, 0, 5).toISOString(), dec6)).toBe("2026-12-07 00:00:00.005");
  expect(startLabel("not a time", dec6)).toBe("not a time");
});

test("fixed-content columns get pixels, the others share the rest", () => {
  const cols = [["pick", 24], ["time", 190], ["name", 260], ["service", 140], ["cost", 100], ["attr.region", 120]] as const;
  const columns = cols.map(([id, size]) => ({ id, getSize: () => size }));
  expect(gridTemplate(columns)).toBe("32px 200px minmax(0, 260fr) minmax(0, 140fr) 110px minmax(0, 120fr)");
  expect(gridTemplate(columns, { time: 116 })).toBe("32px 116px minmax(0, 260fr) minmax(0, 140fr) 110px minmax(0, 120fr)");
});
