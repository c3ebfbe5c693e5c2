// Loading / error / empty for one query, so every panel of the analysis pages says what is happening.
import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { ErrorView, Loading } from "../components/ErrorView";

export function QueryState<T>({ query, what, empty, isEmpty, children }: {
  query: UseQueryResult<T>; what: string; empty?: ReactNode; isEmpty?: (data: T) => boolean; children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={`Loading ${what}`} />;
  if (query.isError) return <ErrorView error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <div className="empty-inline muted" data-testid="empty">{empty ?? `No ${what} yet.`}</div>;
  return <>{children(query.data)}</>;
}

export function Panel({ title, actions, children, id }: { title: string; actions?: ReactNode; children: ReactNode; id?: string }) {
  const headingId = `panel-${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={id}>
      <header className="card-head"><h2 id={headingId}>{title}</h2>{actions && <div className="card-actions">{actions}</div>}</header>
      {children}
    </section>
  );
}
