import { useLiveState } from "./LiveContext";

const LABELS = {
  connecting: "Connecting",
  open: "Live",
  reconnecting: "Reconnecting",
  refused: "Live updates refused",
  closed: "Offline",
} as const;

/** The websocket's state in the header: a dot and a word, with the server's reason on hover. */
export function LiveIndicator() {
  const { state, reason } = useLiveState();
  return (
    <span className={`live live-${state}`} role="status" aria-live="polite" title={reason || LABELS[state]}
      data-testid="live-indicator" data-state={state}>
      <span className="live-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
