import { expect, test } from "vitest";
import { LABEL_GAP, placeLabel, visibleBar } from "./labels";

const box = { track: 800, reserve: 70, label: 40 };

test("a label goes right of its bar when there is room", () => {
  expect(placeLabel({ ...box, barLeft: 0, barRight: 700 })).toBe("right"); // long bar, track to spare
  expect(placeLabel({ ...box, barLeft: 300, barRight: 302 })).toBe("right"); // short bar
});

test("a bar ending at the track's edge keeps its label right when the reserve holds it", () => {
  expect(placeLabel({ ...box, barLeft: 760, barRight: 800 })).toBe("right"); // 800 + 4 + 40 <= 870
  expect(placeLabel({ ...box, barLeft: 760, barRight: 800, label: 70 - LABEL_GAP })).toBe("right"); // exactly fits
});

test("a label too wide for the room on the right goes left of the bar", () => {
  expect(placeLabel({ ...box, barLeft: 700, barRight: 800, label: 80 })).toBe("left");
  expect(placeLabel({ ...box, reserve: 0, barLeft: 780, barRight: 800 })).toBe("left");
  expect(placeLabel({ ...box, reserve: 0, barLeft: 756, barRight: 797, label: 40 })).toBe("left"); // 3 px short on the right
  expect(placeLabel({ ...box, reserve: 0, barLeft: 756, barRight: 756 + 0, label: 40 })).toBe("right"); // 800 - 756 - 4 = 40
});

test("when neither side fits the label takes the roomier one", () => {
  expect(placeLabel({ ...box, reserve: 0, barLeft: 20, barRight: 790, label: 50 })).toBe("left"); // 16 px left, 6 right
  expect(placeLabel({ ...box, reserve: 0, barLeft: 5, barRight: 780, label: 50 })).toBe("right"); // 1 px left, 16 right
});

test("bars are clipped to the shown window", () => {
  expect(visibleBar(10, 30)).toEqual({ left: 10, width: 20 });
  expect(visibleBar(-20, 50)).toEqual({ left: 0, width: 50 });
  expect(visibleBar(90, 140)).toEqual({ left: 90, width: 10 });
  expect(visibleBar(-50, -10)).toBeNull();
  expect(visibleBar(101, 120)).toBeNull();
});
