// Project › section › item, from the route table (a page's `parent` is the step back).
import { Link, useMatches, useParams } from "react-router";
import { useProject } from "./project";
import { pageById, pageHref } from "./routes";

export function Breadcrumbs() {
  const matches = useMatches();
  const params = useParams();
  const { slug, role } = useProject();
  const pageId = [...matches].reverse().map((m) => (m.handle as { page?: string } | undefined)?.page).find(Boolean);
  const page = pageId ? pageById(pageId) : undefined;
  const parent = page?.parent ? pageById(page.parent) : undefined;
  const crumbs: { label: string; to?: string }[] = [{ label: role?.name ?? slug, to: pageHref(slug, "traces") }];
  if (parent) crumbs.push({ label: parent.title, to: pageHref(slug, parent.id) });
  if (page) crumbs.push({ label: params.traceId ? `${page.title} ${params.traceId.slice(0, 12)}…` : page.title });
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li key={i}>
            {c.to && i < crumbs.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span aria-current="page">{c.label}</span>}
          </li>
        ))}
      </ol>
    </nav>
  );
}
