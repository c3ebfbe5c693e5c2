import { useParams } from "react-router";
import { useProject } from "../app/project";
import { ErrorView, Loading } from "../components/ErrorView";
import { useTrace } from "./api";
import { formatCost, formatDuration } from "./format";

export default function TraceDetailPage() {
  const { slug } = useProject();
  const { traceId = "" } = useParams();
  const trace = useTrace(slug, traceId);
  if (trace.isPending) return <Loading what="Loading trace" />;
  if (trace.error) return <ErrorView error={trace.error} onRetry={() => trace.refetch()} />;
  const t = trace.data;
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{t.name || t.trace_id}</h1>
      <p className="muted">{t.span_count} spans · {formatDuration(t.duration_ms)} · {formatCost(t.cost_usd)}</p>
    </section>
  );
}
