// The pixel sizes the duration labels are placed by: the bar track's width, the room reserved past it,
// and a label's rendered width (measured with the track's own font on a canvas, no layout pass).
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from "react";

export interface TrackMetrics {
  track: number;
  reserve: number;
  /** rendered width of a duration label's text */
  measure: (text: string) => number;
}

const LABEL_FONT_PX = 11; // .wf-dur's font size

export function useTrackMetrics(scroller: RefObject<HTMLElement | null>, hasRows: boolean): TrackMetrics {
  const [size, setSize] = useState({ track: 0, reserve: 0, font: "" });
  const ctx = useRef<CanvasRenderingContext2D | null>(null);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !hasRows) return;
    const read = () => {
      const track = el.querySelector<HTMLElement>(".wf-track");
      if (!track) return;
      const style = getComputedStyle(track);
      const next = { track: track.clientWidth, reserve: parseFloat(style.marginRight) || 0, font: `${LABEL_FONT_PX}px ${style.fontFamily}` };
      setSize((cur) => (cur.track === next.track && cur.reserve === next.reserve && cur.font === next.font ? cur : next));
    };
    read();
    const observer = new ResizeObserver(read);
    observer.observe(el);
    return () => observer.disconnect();
  }, [scroller, hasRows]);
  const measure = useCallback((text: string) => {
    ctx.current ??= document.createElement("canvas").getContext("2d");
    if (!ctx.current) return text.length * LABEL_FONT_PX * 0.6;
    ctx.current.font = size.font;
    return ctx.current.measureText(text).width;
  }, [size.font]);
  return { track: size.track, reserve: size.reserve, measure };
}
