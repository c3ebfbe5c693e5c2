// A trace: summary with totals, feedback, the waterfall and the selected span's panel. Large
// traces are read in windows and say how much of them is shown.
import { useEffect } from "react";
import { useLiveTraces } from "../realtime/LiveContext";
import { Link, useParams, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { CopyButton } from "../components/CopyButton";
import { ErrorView, Loading } from "../components/ErrorView";
import { Feedback } from "./detail/Feedback";
import { SpanPanel } from "./detail/SpanPanel";
import { MAX_SPANS, useTraceSpans } from "./detail/useTraceSpans";
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
  const { detail, spans, total, loadMore, loadingMore } = useTraceSpans(slug, traceId);
  const live = useLiveTraces();
  useEffect(() => live?.traceOpened(), [live]); // the live list holds new traces while one is open
  const model = useWaterfallModel(spans);
  const span = selected ? model.tree.byId.get(selected)?.span : undefined;

  if (detail.isPending) return <Loading what="Loading trace" />;
  if (detail.error) return <ErrorView error={detail.error} onRetry={() => detail.refetch()} />;
  const t = detail.data;
  const traceStart = t.start_time_unix_nano;
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
      {spans.length < total && (
        <p className="notice" role="status" data-testid="truncation-notice">
          Showing {spans.length.toLocaleString()} of {total.toLocaleString()} spans (the earliest first).{" "}
          {loadMore ? (
            <button type="button" className="btn btn-small" disabled={loadingMore} onClick={loadMore}>
              {loadingMore ? "Loading…" : "Load more spans"}
            </button>
          ) : spans.length >= MAX_SPANS ? `This view keeps at most ${MAX_SPANS.toLocaleString()}; export or query the rest.` : null}
        </p>
      )}
      <div className={`detail-body ${span ? "with-panel" : ""}`}>
        <Waterfall model={model} selected={selected} onSelect={setSelected} />
        {span && <SpanPanel key={span.span_id} span={span} traceStart={traceStart} totals={model.totals.get(span.span_id)} onClose={() => setSelected(null)} />}
      </div>
    </section>
  );
}
