// The page a registered route shows until its screen is built.
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="empty">
        <p className="empty-title">This page is on its way.</p>
        <p className="muted">{what} The API already serves it under <code>/api/v1</code>.</p>
      </div>
    </section>
  );
}
