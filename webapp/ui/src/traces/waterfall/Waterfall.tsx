// The span waterfall: toolbar (search with match count and next/previous, collapse/expand all,
// critical path, next error), the minimap, a time ruler and virtualised rows (only visible rows
// exist in the DOM, so 10,000 spans stay smooth). Keyboard: ↑/↓ or j/k move, ←/→ collapse and
// expand, e / E next / previous error, / search, Enter / Shift+Enter next / previous match.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useTheme } from "../../app/theme";
import { formatDuration } from "../format";
import { barColor } from "./colors";
import { LABEL_GAP, MIN_BAR_PX, placeLabel, visibleBar } from "./labels";
import {
  buildTree, collapsedAncestors, criticalPath, parents, rollUp, visibleRows, type Node, type SpanLike, type Totals, type Tree,
} from "./layout";
import { Minimap, type View } from "./Minimap";
import { Ruler } from "./Ruler";
import { useTrackMetrics } from "./trackMetrics";

const ROW = 26;
const INDENT = 14;
const MAX_INDENT_LEVELS = 30;

/** What a row needs of a span: the outline's fields (full spans have them too). */
export interface WaterfallSpan extends SpanLike {
  model_id: string;
  duration_ms: number;
  operation?: string;
  inference_type?: string;
}

/** Search within the trace, owned by the page (it may ask the server): the hits in any order. */
export interface WaterfallSearch {
  query: string;
  onQuery: (query: string) => void;
  hits: readonly string[];
  matchCount: number;
  searching: boolean;
}

export interface WaterfallProps {
  model: WaterfallModel;
  selected: string | null;
  onSelect: (id: string | null) => void;
  search: WaterfallSearch;
}

export function isLlm(span: Pick<WaterfallSpan, "model_id" | "operation" | "inference_type">): boolean {
  return Boolean(span.model_id) || span.operation === "chat" || span.inference_type === "llm";
}

export interface WaterfallModel {
  tree: Tree<WaterfallSpan>;
  order: Node<WaterfallSpan>[];
  critical: Set<string>;
  totals: Map<string, Totals>;
}

/** The tree and what is derived from it, computed once per set of spans. */
export function useWaterfallModel(spans: readonly WaterfallSpan[]): WaterfallModel {
  return useMemo(() => {
    const tree = buildTree(spans);
    return { tree, order: visibleRows(tree, new Set()).map((r) => r.node), critical: criticalPath(tree), totals: rollUp(tree) };
  }, [spans]);
}

export function Waterfall({ model, selected, onSelect, search }: WaterfallProps) {
  const { tree, order, critical } = model;
  const [theme] = useTheme();
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [showCritical, setShowCritical] = useState(true);
  const [hitIndex, setHitIndex] = useState(-1); // -1: no match visited yet
  const total = Math.max(1, tree.end - tree.start);
  const [view, setView] = useState<View>({ start: 0, end: total });
  useEffect(() => setView({ start: 0, end: total }), [total]);

  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const rowIndex = useMemo(() => new Map(rows.map((r, i) => [r.node.span.span_id, i])), [rows]);
  const { query } = search;
  const hits = useMemo(() => new Set(query.trim() ? search.hits : []), [query, search.hits]);
  const hitList = useMemo(() => order.filter((n) => hits.has(n.span.span_id)), [order, hits]);
  const errors = useMemo(() => order.filter((n) => n.span.status_code === "error"), [order]);

  const scroller = useRef<HTMLDivElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });
  const metrics = useTrackMetrics(scroller, rows.length > 0);

  /** Select a span, opening collapsed ancestors, and scroll it into view. */
  const reveal = useCallback((id: string) => {
    const hidden = collapsedAncestors(tree, id, collapsed);
    if (hidden.length) setCollapsed((c) => { const n = new Set(c); hidden.forEach((h) => n.delete(h)); return n; });
    onSelect(id);
  }, [tree, collapsed, onSelect]);

  useEffect(() => {
    if (!selected) return;
    const i = rowIndex.get(selected);
    if (i !== undefined) virtualizer.scrollToIndex(i, { align: "auto" });
  }, [selected, rowIndex, virtualizer]);

  const toggle = (id: string) => setCollapsed((c) => { const n = new Set(c); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const step = (list: Node[], forward: boolean, index?: number) => {
    if (!list.length) return;
    const cur = index ?? list.findIndex((n) => n.span.span_id === selected);
    const next = cur < 0 ? (forward ? 0 : list.length - 1) : (cur + (forward ? 1 : -1) + list.length) % list.length;
    reveal(list[next]!.span.span_id);
    return next;
  };
  const gotoHit = (forward: boolean) => {
    const next = step(hitList, forward, hitIndex >= 0 ? hitIndex : -1);
    if (next !== undefined) setHitIndex(next);
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === "INPUT") return;
    const i = selected ? rowIndex.get(selected) ?? -1 : -1;
    const node = i >= 0 ? rows[i]!.node : null;
    const go = (j: number) => { const r = rows[Math.max(0, Math.min(rows.length - 1, j))]; if (r) onSelect(r.node.span.span_id); };
    switch (e.key) {
      case "ArrowDown": case "j": go(i + 1); break;
      case "ArrowUp": case "k": go(i - 1); break;
      case "ArrowRight":
        if (node && collapsed.has(node.span.span_id)) toggle(node.span.span_id);
        else if (node?.children[0]) onSelect(node.children[0].span.span_id);
        break;
      case "ArrowLeft":
        if (node && node.children.length && !collapsed.has(node.span.span_id)) toggle(node.span.span_id);
        else if (node?.parent) onSelect(node.parent.span.span_id);
        break;
      case "e": step(errors, true); break;
      case "E": step(errors, false); break;
      case "/": searchBox.current?.focus(); break;
      case "Escape": onSelect(null); break;
      default: return;
    }
    e.preventDefault();
  };

  const width = Math.max(1, view.end - view.start);
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-toolbar">
        <input ref={searchBox} type="search" placeholder="Search spans (/)" aria-label="Search spans" value={query}
          onChange={(e) => { search.onQuery(e.target.value); setHitIndex(-1); }}
          onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); gotoHit(!e.shiftKey); } }} />
        <span className="muted small" aria-live="polite" data-testid="match-count">
          {!query.trim() ? "" : search.searching ? "searching…"
            : hitIndex >= 0 && hitList.length ? `${hitIndex + 1} / ${search.matchCount}` : `${search.matchCount} matches`}
        </span>
        <button type="button" className="btn btn-small" aria-label="Previous match" disabled={!hitList.length} onClick={() => gotoHit(false)}>↑</button>
        <button type="button" className="btn btn-small" aria-label="Next match" disabled={!hitList.length} onClick={() => gotoHit(true)}>↓</button>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={() => setCollapsed(new Set())}>Expand all</button>
        <button type="button" className="btn btn-small" onClick={() => setCollapsed(parents(tree))}>Collapse all</button>
        <button type="button" className="btn btn-small" aria-pressed={showCritical} onClick={() => setShowCritical((v) => !v)}>Critical path</button>
        <button type="button" className="btn btn-small" disabled={!errors.length} onClick={() => step(errors, true)}
          aria-label={`Next error (${errors.length})`}>Next error ({errors.length})</button>
      </div>
      <Minimap tree={tree} order={order} view={view} onView={setView} theme={theme} />
      <div className="wf-head">
        <div className="wf-label muted small">{rows.length} of {order.length} spans{view.start > 0 || view.end < total ? " · zoomed" : ""}</div>
        <Ruler view={view} />
      </div>
      <div className="wf-rows" ref={scroller} tabIndex={0} role="tree" aria-label="Spans" onKeyDown={onKey}
        aria-activedescendant={selected ? `span-${selected}` : undefined}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const s = row.node.span;
            const hasKids = row.node.children.length > 0;
            const isCollapsed = collapsed.has(s.span_id);
            const bar = visibleBar(((s.start_time_unix_nano - tree.start - view.start) / width) * 100,
              ((s.end_time_unix_nano - tree.start - view.start) / width) * 100);
            const duration = formatDuration(s.duration_ms);
            const error = s.status_code === "error";
            const classes = ["wf-row", selected === s.span_id && "selected", hits.has(s.span_id) && "hit",
              showCritical && critical.has(s.span_id) && "critical", error && "error"].filter(Boolean).join(" ");
            return (
              <div key={s.span_id} id={`span-${s.span_id}`} className={classes} role="treeitem" aria-level={row.node.depth + 1}
                aria-expanded={hasKids ? !isCollapsed : undefined} aria-selected={selected === s.span_id}
                data-testid="span-row" data-span-id={s.span_id} data-depth={row.node.depth}
                style={{ transform: `translateY(${item.start}px)`, height: ROW }} onClick={() => onSelect(s.span_id)}>
                <div className="wf-label" style={{ paddingLeft: 6 + Math.min(row.node.depth, MAX_INDENT_LEVELS) * INDENT }}>
                  {hasKids ? (
                    <button type="button" className="wf-toggle" aria-label={`${isCollapsed ? "Expand" : "Collapse"} ${s.name}`}
                      onClick={(e) => { e.stopPropagation(); toggle(s.span_id); }}>{isCollapsed ? "▸" : "▾"}</button>
                  ) : <span className="wf-toggle" />}
                  {error && <span className="err-dot" aria-label="error" />}
                  <span className="wf-name">{s.name}</span>
                  <span className="wf-service muted">{s.service_name}</span>
                  {row.hidden > 0 && <span className="badge">+{row.hidden}</span>}
                </div>
                <div className="wf-track">
                  {bar && <div className="wf-bar" data-testid="span-bar" style={{
                    left: `${bar.left}%`, width: `max(${MIN_BAR_PX}px, ${bar.width}%)`,
                    background: barColor(s.service_name, isLlm(s), error),
                  }} />}
                  <span className="wf-dur" data-testid="span-duration" style={labelStyle(bar, duration, metrics)}>{duration}</span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** The duration label's position: just right of the bar, or just left when only that side has room. */
function labelStyle(bar: { left: number; width: number } | null, text: string, m: ReturnType<typeof useTrackMetrics>) {
  if (!bar) return { left: 0 }; // the span lies outside the zoomed window: nothing to overlap
  const barLeft = (bar.left / 100) * m.track;
  const barRight = barLeft + Math.max(MIN_BAR_PX, (bar.width / 100) * m.track);
  const side = m.track > 0 ? placeLabel({ barLeft, barRight, track: m.track, reserve: m.reserve, label: m.measure(text) }) : "right";
  return side === "right"
    ? { left: `calc(${bar.left}% + max(${MIN_BAR_PX}px, ${bar.width}%) + ${LABEL_GAP}px)` }
    : { right: `calc(${100 - bar.left}% + ${LABEL_GAP}px)` };
}
