// The whole trace in a strip of canvas (cheap at 100k spans): one line per span in tree order.
// Dragging selects the time window the waterfall shows; double-click shows everything again.
import { useEffect, useRef, useState, type PointerEvent } from "react";
import { barColor } from "./colors";
import type { Node, Tree } from "./layout";

const HEIGHT = 56;

export interface View {
  start: number; // ns from trace start
  end: number;
}

export function Minimap({ tree, order, view, onView, theme }: {
  tree: Tree; order: Node[]; view: View; onView: (v: View) => void; theme: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const total = Math.max(1, tree.end - tree.start);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const width = el.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    el.width = width * ratio;
    el.height = HEIGHT * ratio;
    const ctx = el.getContext("2d");
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, HEIGHT);
    const style = getComputedStyle(el);
    const rowH = Math.max(0.5, HEIGHT / Math.max(1, order.length));
    order.forEach((node, i) => {
      const s = node.span;
      const x = ((s.start_time_unix_nano - tree.start) / total) * width;
      const w = Math.max(1, ((s.end_time_unix_nano - s.start_time_unix_nano) / total) * width);
      const color = barColor(s.service_name, false, s.status_code === "error");
      ctx.fillStyle = color.startsWith("var(") ? style.getPropertyValue(color.slice(4, -1)).trim() || "#d33" : color;
      ctx.fillRect(x, i * rowH, w, Math.max(1, rowH));
    });
  }, [tree, order, total, theme]);

  const fraction = (event: PointerEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
  };
  const shown = drag ? { start: Math.min(drag.from, drag.to), end: Math.max(drag.from, drag.to) } : { start: view.start / total, end: view.end / total };

  return (
    <div className="minimap" data-testid="minimap" role="slider" aria-label="Trace overview: drag to zoom, double-click to reset"
      aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((view.start / total) * 100)} tabIndex={-1}
      onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); const f = fraction(e); setDrag({ from: f, to: f }); }}
      onPointerMove={(e) => { if (drag) setDrag({ ...drag, to: fraction(e) }); }}
      onPointerUp={() => {
        if (drag && Math.abs(drag.to - drag.from) > 0.005) {
          onView({ start: Math.min(drag.from, drag.to) * total, end: Math.max(drag.from, drag.to) * total });
        }
        setDrag(null);
      }}
      onDoubleClick={() => onView({ start: 0, end: total })}>
      <canvas ref={canvas} style={{ width: "100%", height: HEIGHT }} />
      <div className="minimap-window" style={{ left: `${shown.start * 100}%`, width: `${Math.max(0.3, (shown.end - shown.start) * 100)}%` }} />
    </div>
  );
}
