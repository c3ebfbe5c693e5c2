// Settings: projects, members and roles, API keys, notification channels (?tab=). Actions the
// user's role cannot take are not shown; sections it cannot read say which permission is missing.
import { Link, useSearchParams } from "react-router";
import { useProject } from "../app/project";
import { can } from "../auth/permissions";
import { useMe } from "../auth/session";
import "../viz/viz.css";
import { ApiKeys } from "./ApiKeys";
import { Channels } from "./Channels";
import { Members } from "./Members";
import { Projects } from "./Projects";

const TABS = [
  { id: "projects", label: "Projects" },
  { id: "members", label: "Members" },
  { id: "keys", label: "API keys" },
  { id: "channels", label: "Notification channels" },
] as const;

export default function SettingsPage() {
  const { slug, role } = useProject();
  const me = useMe();
  const [params] = useSearchParams();
  const tab = TABS.find((t) => t.id === params.get("tab"))?.id ?? "projects";
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      <p className="muted small">Your role in this project: <strong data-testid="my-role">{role?.role ?? "none"}</strong></p>
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map((t) => <Link key={t.id} to={`?tab=${t.id}`} aria-current={t.id === tab ? "page" : undefined}>{t.label}</Link>)}
      </nav>
      {tab === "projects" && <Projects current={slug} canCreate={!!me.data?.is_staff} canAdmin={can(role, "projects:admin")} />}
      {tab === "members" && <Members project={slug} canAdmin={can(role, "projects:admin")} />}
      {tab === "keys" && <ApiKeys project={slug} canManage={can(role, "apikeys:manage")} />}
      {tab === "channels" && <Channels project={slug} canRead={can(role, "alerts:read")} canWrite={can(role, "alerts:write")} />}
    </section>
  );
}
