// What a page shows when it fails to render or its code fails to load: inside the shell (the sidebar
// still works), with a reload — after an upgrade a tab holding the old build asks for code files that
// are gone, and a reload fetches the new ones.
import { useRouteError } from "react-router";

function described(error: unknown): { title: string; detail: string } {
  const text = error instanceof Error ? error.message : String(error);
  if (/dynamically imported module|Importing a module script failed|error loading dynamically/i.test(text)) {
    return { title: "This page's code could not be loaded", detail: "PyFlare may have been upgraded since this tab opened. Reload to get the current version." };
  }
  return { title: "This page failed to show", detail: text };
}

export default function PageError() {
  const { title, detail } = described(useRouteError());
  return (
    <section className="page">
      <div className="error-box" role="alert" data-testid="page-error">
        <p className="error-title">{title}</p>
        <p>{detail}</p>
        <button type="button" className="btn" onClick={() => window.location.reload()}>Reload</button>
      </div>
    </section>
  );
}
