// The signed-in frame: sidebar (from the route table), header (project, breadcrumbs, live state,
// theme, sign-out) and the page. Unknown projects and a lost session are handled here once.
import { Suspense, useEffect } from "react";
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { isApiError } from "../api/errors";
import { setCurrentProject } from "../api/client";
import { signOut, useMe, holds } from "../auth/session";
import { ErrorView, Loading } from "../components/ErrorView";
import { LiveIndicator } from "../realtime/LiveIndicator";
import { LiveProvider } from "../realtime/LiveContext";
import { Breadcrumbs } from "./Breadcrumbs";
import { Icon } from "./icons";
import { rememberProject, useProject } from "./project";
import { ProjectSwitcher } from "./ProjectSwitcher";
import { PAGES, SECTIONS, pageHref } from "./routes";
import { useTheme } from "./theme";

function ThemeToggle() {
  const [theme, toggle] = useTheme();
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button type="button" className="btn btn-icon" onClick={toggle} aria-label={`Switch to ${next} theme`}
      data-testid="theme-toggle" title={`Switch to ${next} theme`}>
      <Icon name={theme === "dark" ? "sun" : "moon"} />
    </button>
  );
}

function Sidebar({ project }: { project: string }) {
  const { role } = useProject();
  return (
    <aside className="sidebar">
      <div className="brand"><span className="brand-mark" aria-hidden="true">▲</span> PyFlare</div>
      <nav aria-label="Main">
        {SECTIONS.map((section) => {
          const entries = PAGES.filter((p) => p.nav?.section === section.id && (!p.anyOf || holds(role, ...p.anyOf)));
          if (!entries.length) return null;
          return (
            <div key={section.id} className="nav-section">
              <div className="nav-heading">{section.label}</div>
              <ul>
                {entries.map((p) => (
                  <li key={p.id}>
                    <NavLink to={pageHref(project, p.id)} className="nav-link" end={p.nav!.end}>
                      <Icon name={p.nav!.icon} /> {p.nav!.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
    </aside>
  );
}

function UserMenu() {
  const me = useMe();
  const navigate = useNavigate();
  const out = async () => {
    await signOut().catch(() => undefined);
    navigate("/login", { replace: true });
  };
  return (
    <div className="user">
      <span className="muted small" data-testid="user-email">{me.data?.email ?? me.data?.display_name}</span>
      <button type="button" className="btn btn-icon" onClick={out} aria-label="Sign out" title="Sign out">
        <Icon name="logout" />
      </button>
    </div>
  );
}

export function Shell() {
  const me = useMe();
  const { slug, role } = useProject();
  const location = useLocation();
  setCurrentProject(slug || null); // before the pages below render and fetch
  useEffect(() => {
    if (role) rememberProject(slug);
  }, [slug, role]);

  // While "who am I" is on its way the page already renders and fetches (one round trip less
  // before the first rows); the navigation fills in when the role is known.
  if (me.error) {
    if (isApiError(me.error) && (me.error.kind === "unauthenticated" || me.error.kind === "forbidden")) {
      return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
    }
    return <main className="center"><ErrorView error={me.error} onRetry={() => me.refetch()} /></main>;
  }
  if (me.data && !role) {
    return (
      <main className="center">
        <div className="error-box" role="alert">
          <p className="error-title">Project “{slug}” not found</p>
          <p>It does not exist or you are not a member. <a href="/">Go to your projects</a>.</p>
        </div>
      </main>
    );
  }
  return (
    <LiveProvider project={slug}>
      <div className="app">
        <Sidebar project={slug} />
        <div className="main-col">
          <header className="header">
            <ProjectSwitcher />
            <Breadcrumbs />
            <div className="header-right">
              <LiveIndicator />
              <ThemeToggle />
              <UserMenu />
            </div>
          </header>
          <main className="content" id="content">
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </main>
        </div>
      </div>
    </LiveProvider>
  );
}
