// "/" → the last project visited (or the first one) on the default page.
import { Navigate } from "react-router";
import { isApiError } from "../api/errors";
import { useMe } from "../auth/session";
import { ErrorView, Loading } from "../components/ErrorView";
import { lastProject } from "./project";
import { pageHref, DEFAULT_PAGE } from "./routes";

export default function RootRedirect() {
  const me = useMe();
  if (me.isPending) return <Loading what="Signing in" />;
  if (me.error) {
    if (isApiError(me.error) && me.error.kind === "unauthenticated") return <Navigate to="/login" replace />;
    return <main className="center"><ErrorView error={me.error} onRetry={() => me.refetch()} /></main>;
  }
  const projects = me.data.projects;
  const remembered = lastProject();
  const target = projects.find((p) => p.slug === remembered) ?? projects[0];
  if (!target) {
    return (
      <main className="center">
        <div className="empty">
          <p className="empty-title">You are not a member of any project yet</p>
          <p className="muted">Ask an admin to add you{me.data.is_staff ? ", or create a project in the admin (/admin/)" : ""}.</p>
        </div>
      </main>
    );
  }
  return <Navigate to={pageHref(target.slug, DEFAULT_PAGE)} replace />;
}
