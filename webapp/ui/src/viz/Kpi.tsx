// One headline figure with its label and an optional line under it.

export function Kpi({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId?: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>{value}</div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}
