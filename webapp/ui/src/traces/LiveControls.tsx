// Live mode switch for the explorer: on/off, pause/resume, what is waiting, and which filters
// the stream cannot apply.
import type { LiveTraceStore } from "../realtime/liveTraces";

export function LiveControls({ store, notes }: { store: LiveTraceStore; notes: string[] }) {
  return (
    <div className="live-controls" data-testid="live-controls">
      <button type="button" className="btn" aria-pressed={store.enabled} data-testid="live-toggle"
        onClick={() => store.setEnabled(!store.enabled, "traces:*")}>
        <span className={`live-dot ${store.enabled && !store.paused ? "on" : ""}`} aria-hidden="true" /> Live
      </button>
      {store.enabled && (
        <>
          <button type="button" className="btn" onClick={() => store.setUserPaused(!store.userPaused)} data-testid="live-pause">
            {store.userPaused ? "Resume" : "Pause"}
          </button>
          <span className="muted small" role="status" data-testid="live-status">
            {store.paused ? `paused · ${store.pending.length} waiting` : `${store.rows.length} live`}
            {notes.length ? ` · not applied live: ${notes.join(", ")}` : ""}
          </span>
          <button type="button" className="btn btn-small" onClick={() => store.clear()}>Clear</button>
        </>
      )}
    </div>
  );
}
