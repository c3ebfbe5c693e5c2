// A horizontal status bar (budget used, drift severity): the share filled, coloured by level.

export function Meter({ value, max = 1, label, level }: { value: number; max?: number; label: string; level?: "ok" | "warn" | "bad" }) {
  const share = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  const tone = level ?? (share >= 1 ? "bad" : share >= 0.8 ? "warn" : "ok");
  return (
    <div className={`meter meter-${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div style={{ width: `${share * 100}%` }} />
    </div>
  );
}
