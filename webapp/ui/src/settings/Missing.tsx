// A settings section the user's role cannot read: which permission it takes.
export function Missing({ permission, what }: { permission: string; what: string }) {
  return <div className="empty-inline muted" data-testid="missing-permission">Your role lacks “{permission}”, needed to {what}. Ask a project admin.</div>;
}
