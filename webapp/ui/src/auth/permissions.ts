// Whether the signed-in user's role in a project holds a permission, wildcards included ("*",
// "alerts:*"): pages hide the actions a role cannot take (the API refuses them regardless).
import type { ProjectRole } from "./session";

export function grants(pattern: string, permission: string): boolean {
  if (pattern === "*" || pattern === permission) return true;
  return pattern.endsWith(":*") && permission.startsWith(pattern.slice(0, -1));
}

export function can(role: ProjectRole | undefined, permission: string): boolean {
  return !!role && role.permissions.some((p) => grants(p, permission));
}
