// Two traces side by side: each span of A next to its match in B (bars on each trace's own time
// scale), with duration, token and cost differences; spans only one side has are marked. Both
// traces are read as outlines (the detail page's compact columns), so large traces compare whole;
// only the rows on screen are in the DOM.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { ErrorView, Loading } from "../components/ErrorView";
import { useOutline } from "../pages/TraceDetail/api";
import { decodeOutline, type OutlineBody, type OutlineSpan } from "../pages/TraceDetail/outline";
import { compareSpans, differs, rowState, summary } from "./compare/match";
import { formatCost, formatDuration } from "./format";

const HEX32 = /^[0-9a-fA-F]{32}$/;
const ROW = 30;

function signed(n: number | null, fmt: (v: number) => string): string {
  if (n === null) return "";
  if (n === 0) return "±0";
  return `${n > 0 ? "+" : "−"}${fmt(Math.abs(n))}`;
}

/** Outline times are ns after the trace's first span: the bar sits on [0, total]. */
function Bar({ span, total }: { span: OutlineSpan | null; total: number }) {
  if (!span) return <div className="cmp-track" />;
  const left = (span.start_time_unix_nano / total) * 100;
  const width = ((span.end_time_unix_nano - span.start_time_unix_nano) / total) * 100;
  return (
    <div className="cmp-track" title={formatDuration(span.duration_ms)}>
      <div className={`cmp-bar ${span.status_code === "error" ? "error" : ""}`} style={{ left: `${left}%`, width: `max(2px, ${width}%)` }} />
    </div>
  );
}

function Pick({ a, b, onPick }: { a: string; b: string; onPick: (a: string, b: string) => void }) {
  const [x, setX] = useState(a);
  const [y, setY] = useState(b);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onPick(x.trim().toLowerCase(), y.trim().toLowerCase());
  };
  const bad = (v: string) => v.trim() !== "" && !HEX32.test(v.trim());
  return (
    <form className="cmp-pick" onSubmit={submit}>
      <input aria-label="Trace A id" placeholder="trace A id (32 hex digits)" value={x} onChange={(e) => setX(e.target.value)} aria-invalid={bad(x)} />
      <input aria-label="Trace B id" placeholder="trace B id" value={y} onChange={(e) => setY(e.target.value)} aria-invalid={bad(y)} />
      <button type="submit" className="btn" disabled={!HEX32.test(x.trim()) || !HEX32.test(y.trim())}>Compare</button>
      <span className="muted small">or tick two traces in the list.</span>
    </form>
  );
}

function spanOf(body: OutlineBody): number {
  const c = body.spans;
  let end = 1;
  for (let i = 0; i < c.start.length; i++) end = Math.max(end, c.start[i]! + c.duration[i]!);
  return end;
}

function Comparison({ project, a, b }: { project: string; a: string; b: string }) {
  const left = useOutline(project, a);
  const right = useOutline(project, b);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const all = useMemo(() => (left.data && right.data ? compareSpans(decodeOutline(left.data), decodeOutline(right.data)) : []), [left.data, right.data]);
  const rows = useMemo(() => (onlyDiff ? all.filter(differs) : all), [all, onlyDiff]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 15 });
  if (left.isPending || right.isPending) return <Loading what="Loading both traces" />;
  if (left.error) return <ErrorView error={left.error} onRetry={() => left.refetch()} />;
  if (right.error) return <ErrorView error={right.error} onRetry={() => right.refetch()} />;
  const ta = left.data.trace;
  const tb = right.data.trace;
  const counts = summary(all);
  const totalA = spanOf(left.data);
  const totalB = spanOf(right.data);
  const truncated = [left.data, right.data].filter((o) => o.truncated);
  return (
    <>
      <div className="cmp-summary" data-testid="compare-summary">
        <span><Link to={`/p/${project}/traces/${ta.trace_id}`}>A: {ta.name}</Link> {formatDuration(ta.duration_ms)} · {ta.total_tokens} tokens · {formatCost(ta.cost_usd)}</span>
        <span><Link to={`/p/${project}/traces/${tb.trace_id}`}>B: {tb.name}</Link> {formatDuration(tb.duration_ms)} · {tb.total_tokens} tokens · {formatCost(tb.cost_usd)}</span>
        <span>Δ duration <strong>{signed(tb.duration_ms - ta.duration_ms, formatDuration)}</strong></span>
        <span>Δ tokens <strong>{signed(tb.total_tokens - ta.total_tokens, String)}</strong></span>
        <span>Δ cost <strong>{signed(ta.cost_usd === null && tb.cost_usd === null ? null : (tb.cost_usd ?? 0) - (ta.cost_usd ?? 0), (v) => formatCost(v))}</strong></span>
        <span className="muted">{counts.matched} matched · {counts.missing} missing in B · {counts.added} added in B</span>
        <label className="small"><input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only differences</label>
      </div>
      {truncated.length > 0 && (
        <p className="notice" role="status" data-testid="compare-truncated">
          {truncated.map((o) => `${o.trace.trace_id === ta.trace_id ? "A" : "B"}: ${o.returned.toLocaleString()} of ${o.span_count.toLocaleString()} spans`).join(" · ")}
          {" "}(the earliest first); spans past that are not compared. The totals above cover every span.
        </p>
      )}
      <div className="cmp-grid" role="table" aria-label="Span comparison" aria-rowcount={rows.length + 1} data-testid="compare-table" ref={scroller}>
        <div className="cmp-row cmp-head" role="row">
          <span role="columnheader">Span</span><span role="columnheader">A</span><span role="columnheader">B</span>
          <span role="columnheader">Δ duration</span><span role="columnheader">Δ tokens</span><span role="columnheader">Δ cost</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const r = rows[item.index]!;
            const state = rowState(r);
            return (
              <div key={item.key} className={`cmp-row cmp-${state}`} role="row" aria-rowindex={item.index + 2} data-testid="compare-row" data-state={state} data-name={r.name}
                style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${item.start}px)` }}>
                <span role="cell" className="cmp-name" title={r.name} style={{ paddingLeft: Math.min(r.depth, 20) * 14 }}>
                  {state !== "matched" && <span className="badge">{state === "missing" ? "only in A" : "only in B"}</span>} {r.name}
                </span>
                <span role="cell"><Bar span={r.a} total={totalA} /></span>
                <span role="cell"><Bar span={r.b} total={totalB} /></span>
                <span role="cell" className={`num ${r.durationMs && r.durationMs > 0 ? "worse" : r.durationMs && r.durationMs < 0 ? "better" : ""}`}>
                  {signed(r.durationMs, formatDuration)}
                </span>
                <span role="cell" className="num" data-testid="delta-tokens">{signed(r.tokens, String)}</span>
                <span role="cell" className="num">{signed(r.cost, (v) => formatCost(v))}</span>
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}

export default function ComparePage() {
  const { slug } = useProject();
  const [params, setParams] = useSearchParams();
  const a = (params.get("a") ?? "").toLowerCase();
  const b = (params.get("b") ?? "").toLowerCase();
  const ready = HEX32.test(a) && HEX32.test(b);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Compare traces</h1>
      <Pick key={`${a}-${b}`} a={a} b={b} onPick={(x, y) => setParams({ a: x, b: y })} />
      {ready ? <Comparison project={slug} a={a} b={b} /> : (
        <div className="empty"><p className="empty-title">Pick two traces</p>
          <p className="muted">Enter two trace ids, or tick two traces in the trace list and press “Compare 2 traces”.</p></div>
      )}
    </section>
  );
}
