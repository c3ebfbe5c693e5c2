// The current project comes from the URL (/p/:project/...), so links are shareable; the last one
// visited is remembered for "/".
import { useParams } from "react-router";
import { useMe, type ProjectRole } from "../auth/session";

const LAST = "pyflare.project";

export function rememberProject(slug: string): void {
  try {
    localStorage.setItem(LAST, slug);
  } catch {
    // not fatal
  }
}

export function lastProject(): string | null {
  try {
    return localStorage.getItem(LAST);
  } catch {
    return null;
  }
}

export function useProject(): { slug: string; role: ProjectRole | undefined } {
  const { project = "" } = useParams();
  const me = useMe();
  return { slug: project, role: me.data?.projects.find((p) => p.slug === project) };
}
