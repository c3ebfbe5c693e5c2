// A trace: summary with totals, feedback, the waterfall and the selected span's panel. The page
// reads the trace's compact outline (every span, up to the server's cap, and says when it is
// truncated); the selected span's full row is fetched on demand and search runs on the server.
import { useEffect, useMemo, useState } from "react";
import { useLiveTraces } from "../realtime/LiveContext";
import { Link, useParams, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { CopyButton } from "../components/CopyButton";
import { ErrorView, Loading } from "../components/ErrorView";
import { useOutline, useSpanDetail, useTraceSearch } from "../pages/TraceDetail/api";
import { decodeOutline } from "../pages/TraceDetail/outline";
import { Feedback } from "./detail/Feedback";
import { SpanPanel } from "./detail/SpanPanel";
import { formatCost, formatDuration, formatTime, formatTokens } from "./format";
import { useWaterfallModel, Waterfall } from "./waterfall/Waterfall";

export default function TraceDetailPage() {
  const { slug } = useProject();
  const { traceId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const selected = params.get("span");
  const setSelected = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("span", id);
    else next.delete("span");
    setParams(next, { replace: true });
  };
  const outline = useOutline(slug, traceId);
  const spans = useMemo(() => (outline.data ? decodeOutline(outline.data) : []), [outline.data]);
  const [query, setQuery] = useState("");
  const found = useTraceSearch(slug, traceId, query);
  const detail = useSpanDetail(slug, traceId, selected);
  const live = useLiveTraces();
  useEffect(() => live?.traceOpened(), [live]); // the live list holds new traces while one is open
  const model = useWaterfallModel(spans);

  if (outline.isPending) return <Loading what="Loading trace" />;
  if (outline.error) return <ErrorView error={outline.error} onRetry={() => outline.refetch()} />;
  const o = outline.data;
  const t = o.trace;
  const traceStart = t.start_time_unix_nano;
  const span = selected && detail.data?.span_id === selected ? detail.data : undefined;
  return (
    <section className="page trace-detail" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">{t.status === "error" && <span className="err-dot" aria-label="error" />} {t.name || t.trace_id}</h1>
        <span className="mono muted small">{t.trace_id}</span>
        <CopyButton text={t.trace_id} label="Copy trace id" />
        <span className="spacer" />
        <Link className="btn" to={`/p/${encodeURIComponent(slug)}/compare?a=${t.trace_id}`}>Compare…</Link>
      </div>
      <div className="trace-stats" data-testid="trace-stats">
        <span>{formatTime(t.start_time)}</span>
        <span><strong>{formatDuration(t.duration_ms)}</strong> duration</span>
        <span><strong>{t.span_count}</strong> spans</span>
        <span><strong>{t.error_count}</strong> errors</span>
        <span><strong>{formatTokens(t.total_tokens)}</strong> tokens ({formatTokens(t.input_tokens)} in / {formatTokens(t.output_tokens)} out)</span>
        <span><strong>{formatCost(t.cost_usd)}</strong> cost</span>
        <span className="muted">{t.services.join(", ")}</span>
      </div>
      <Feedback project={slug} traceId={t.trace_id} spanId={selected} />
      {o.truncated && (
        <p className="notice" role="status" data-testid="truncation-notice">
          Showing {o.returned.toLocaleString()} of {o.span_count.toLocaleString()} spans (the earliest first): this
          view keeps at most {o.limit.toLocaleString()}. Search still covers every span; export or query the rest.
        </p>
      )}
      <div className={`detail-body ${selected ? "with-panel" : ""}`}>
        <Waterfall model={model} selected={selected} onSelect={setSelected}
          search={{ query, onQuery: setQuery, ...found }} />
        {span && <SpanPanel key={span.span_id} span={span} traceStart={traceStart} totals={model.totals.get(span.span_id)} onClose={() => setSelected(null)} />}
        {selected && !span && (
          <aside className="span-panel" aria-label="Span" data-testid="span-panel-loading">
            {detail.error ? <ErrorView error={detail.error} onRetry={() => detail.refetch()} />
              : detail.data === null ? <p className="muted">This span is not in the trace.</p> : <Loading what="Loading span" />}
          </aside>
        )}
      </div>
    </section>
  );
}
