// The page a registered route shows until its screen is built.
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="empty">
        <p className="empty-title">Not built yet.</p>
        <p className="muted">{what} PyFlare does not compute these yet: nothing is missing from your data.</p>
      </div>
    </section>
  );
}
