// Where a span's duration label goes: just right of its bar when it fits there, otherwise just left of
// it, never on the bar (a label drawn over a bar is unreadable on a short bar). Pure: pixels in, side out.

/** Space between a bar and its label, in pixels. */
export const LABEL_GAP = 4;
/** A bar is drawn at least this wide, so a zero-length span still shows. */
export const MIN_BAR_PX = 2;

/** A bar's extent in percent of the shown window, clipped to it; null when it lies wholly outside. */
export function visibleBar(startPct: number, endPct: number): { left: number; width: number } | null {
  if (endPct < 0 || startPct > 100) return null;
  const left = Math.max(0, startPct);
  return { left, width: Math.max(0, Math.min(100, endPct) - left) };
}

export interface LabelBox {
  /** the drawn bar, in pixels from the track's left edge */
  barLeft: number;
  barRight: number;
  /** the track's width; labels may also use `reserve` pixels past its right edge */
  track: number;
  reserve: number;
  /** the label's rendered width */
  label: number;
}

export function placeLabel({ barLeft, barRight, track, reserve, label }: LabelBox): "right" | "left" {
  const roomRight = track + reserve - barRight - LABEL_GAP;
  const roomLeft = barLeft - LABEL_GAP;
  if (roomRight >= label) return "right";
  if (roomLeft >= label) return "left";
  return roomRight >= roomLeft ? "right" : "left"; // neither fits: the roomier side, still off the bar
}
