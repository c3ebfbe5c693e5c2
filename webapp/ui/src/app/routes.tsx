// THE table of pages. A page is added by one entry here: its path under /p/:project/, its title
// (breadcrumbs, document title), its navigation entry and the permission that shows it, and a
// lazy import so each page is its own chunk.
import type { ComponentType } from "react";
import type { IconName } from "./icons";

export type NavSection = "observe" | "analyse" | "manage";

export interface PageDef {
  id: string;
  /** relative to /p/:project/ */
  path: string;
  title: string;
  /** the page a breadcrumb climbs back to (e.g. a trace's detail → the trace list) */
  parent?: string;
  nav?: { label: string; icon: IconName; section: NavSection; /** highlight on this exact path only */ end?: boolean };
  /** the nav entry shows when the role holds any of these (the API enforces them regardless) */
  anyOf?: string[];
  load: () => Promise<{ default: ComponentType }>;
}

export const PAGES: PageDef[] = [
  {
    id: "dashboard", path: "dashboard", title: "Dashboard", anyOf: ["traces:read"],
    nav: { label: "Dashboard", icon: "dashboard", section: "observe" },
    load: () => import("../dashboard/DashboardPage"),
  },
  {
    id: "traces", path: "traces", title: "Traces", anyOf: ["traces:read"],
    nav: { label: "Traces", icon: "traces", section: "observe" },
    load: () => import("../traces/TraceListPage"),
  },
  {
    id: "trace", path: "traces/:traceId", title: "Trace", parent: "traces", anyOf: ["traces:read"],
    load: () => import("../traces/TraceDetailPage"),
  },
  {
    id: "compare", path: "compare", title: "Compare traces", parent: "traces", anyOf: ["traces:read"],
    nav: { label: "Compare", icon: "compare", section: "observe" },
    load: () => import("../traces/ComparePage"),
  },
  {
    id: "costs", path: "costs", title: "Costs", anyOf: ["costs:read", "costs:read:own"],
    nav: { label: "Costs", icon: "costs", section: "analyse" },
    load: () => import("../costs/CostsPage"),
  },
  {
    id: "drift", path: "drift", title: "Drift", anyOf: ["drift:read"],
    nav: { label: "Drift", icon: "drift", section: "analyse" },
    load: () => import("../drift/DriftPage"),
  },
  {
    id: "alerts", path: "alerts", title: "Alerts", anyOf: ["alerts:read"],
    nav: { label: "Alerts", icon: "alerts", section: "analyse", end: true },
    load: () => import("../alerts/AlertsPage"),
  },
  {
    id: "alert-rules", path: "alerts/rules", title: "Alert rules", parent: "alerts", anyOf: ["alerts:read"],
    nav: { label: "Alert rules", icon: "rules", section: "analyse" },
    load: () => import("../alerts/RulesPage"),
  },
  {
    id: "alert-silences", path: "alerts/silences", title: "Silences", parent: "alerts", anyOf: ["alerts:read"],
    nav: { label: "Silences", icon: "silences", section: "analyse" },
    load: () => import("../alerts/SilencesPage"),
  },
  {
    id: "alert-maintenance", path: "alerts/maintenance", title: "Maintenance windows", parent: "alerts", anyOf: ["alerts:read"],
    nav: { label: "Maintenance", icon: "maintenance", section: "analyse" },
    load: () => import("../alerts/MaintenancePage"),
  },
  {
    id: "evaluations", path: "evaluations", title: "Evaluations", anyOf: ["traces:read"],
    nav: { label: "Evaluations", icon: "evaluations", section: "analyse" },
    load: () => import("../pages/placeholders/EvaluationsPlaceholder"),
  },
  {
    id: "rca", path: "rca", title: "Root cause", anyOf: ["traces:read"],
    nav: { label: "Root cause", icon: "rca", section: "analyse" },
    load: () => import("../pages/placeholders/RcaPlaceholder"),
  },
  {
    id: "settings", path: "settings", title: "Settings",
    nav: { label: "Settings", icon: "settings", section: "manage" },
    load: () => import("../settings/SettingsPage"),
  },
];

export const SECTIONS: { id: NavSection; label: string }[] = [
  { id: "observe", label: "Observe" },
  { id: "analyse", label: "Analyse" },
  { id: "manage", label: "Manage" },
];

export const DEFAULT_PAGE = "traces";

export function pageById(id: string): PageDef | undefined {
  return PAGES.find((p) => p.id === id);
}

/** The URL of a page in a project (static paths only). */
export function pageHref(project: string, id: string): string {
  const page = pageById(id);
  return `/p/${encodeURIComponent(project)}/${page ? page.path : ""}`;
}
