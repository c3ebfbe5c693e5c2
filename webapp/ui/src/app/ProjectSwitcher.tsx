// The project menu in the header (Radix dropdown: keyboard and screen-reader ready). Switching
// keeps the page the user is on.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { useLocation, useNavigate } from "react-router";
import { useMe } from "../auth/session";
import { Icon } from "./icons";
import { useProject } from "./project";

export function ProjectSwitcher() {
  const me = useMe();
  const { slug, role } = useProject();
  const navigate = useNavigate();
  const location = useLocation();
  const projects = me.data?.projects ?? [];
  const go = (next: string) => {
    // stay on the same kind of page; a trace id belongs to the old project, so drop it
    const rest = location.pathname.split("/").slice(3);
    const page = rest[0] ?? "traces";
    navigate(`/p/${encodeURIComponent(next)}/${page}`);
  };
  return (
    <Menu.Root>
      <Menu.Trigger className="btn project-trigger" aria-label={`Project: ${role?.name ?? slug}. Switch project`}
        data-testid="project-switcher">
        <span className="project-name">{role?.name ?? slug}</span>
        {role && <span className="badge">{role.role}</span>}
        <Icon name="chevron" size={14} />
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" sideOffset={4} align="start">
          <Menu.Label className="menu-label">Projects</Menu.Label>
          {projects.map((p) => (
            <Menu.Item key={p.slug} className="menu-item" onSelect={() => go(p.slug)} data-current={p.slug === slug}>
              <span>{p.name}</span>
              <span className="muted small">{p.slug} · {p.role}</span>
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
