// Score and comment a trace (or the selected span) from the page: POST /api/v1/feedback.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, inProject, must } from "../../api/client";
import { errorText } from "../../components/ErrorView";

export function Feedback({ project, traceId, spanId }: { project: string; traceId: string; spanId: string | null }) {
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const save = useMutation({
    mutationFn: () => must(api.POST("/api/v1/feedback", {
      body: { trace_id: traceId, ...(spanId ? { span_id: spanId } : {}), score, comment, source: "user" },
      headers: inProject(project),
    })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="feedback" onSubmit={submit} aria-label="Feedback">
      <span className="muted small">Feedback{spanId ? " on this span" : ""}:</span>
      <button type="button" className="btn btn-small" aria-pressed={score === 1} onClick={() => setScore(1)}>Good</button>
      <button type="button" className="btn btn-small" aria-pressed={score === 0} onClick={() => setScore(0)}>Bad</button>
      <input aria-label="Feedback comment" placeholder="comment" value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} />
      <button type="submit" className="btn btn-small" disabled={save.isPending || (score === null && !comment)}>Send</button>
      <span role="status" className="small">
        {save.isSuccess ? "Saved" : save.error ? <span className="form-error">{errorText(save.error).detail}</span> : ""}
      </span>
    </form>
  );
}
