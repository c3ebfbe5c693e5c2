// The user's projects; staff create new ones, project admins rename theirs.
import { useState } from "react";
import { Link } from "react-router";
import { ErrorView } from "../components/ErrorView";
import { when } from "../viz/format";
import { Panel, QueryState } from "../viz/States";
import { useCreateProject, useProjects, useRenameProject } from "./api";

export function Projects({ current, canCreate, canAdmin }: { current: string; canCreate: boolean; canAdmin: boolean }) {
  const projects = useProjects();
  const create = useCreateProject();
  const rename = useRenameProject();
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <Panel title="Projects" id="projects">
      {canCreate && (
        <form className="form" aria-label="New project" style={{ marginBottom: 10 }} onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ slug: slug.trim(), name: name.trim() }, { onSuccess: () => { setSlug(""); setName(""); } });
        }}>
          <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
          <label>Slug<input required value={slug} onChange={(e) => setSlug(e.target.value)} pattern="[a-z0-9][a-z0-9-]*" /></label>
          <div className="form-actions"><button type="submit" className="btn btn-primary" disabled={create.isPending}>Create project</button></div>
        </form>
      )}
      {create.isError && <ErrorView error={create.error} />}
      {rename.isError && <ErrorView error={rename.error} />}
      <QueryState query={projects} what="projects" isEmpty={(p) => p.length === 0} empty="You are not a member of any project.">
        {(list) => (
          <table className="data" aria-label="Projects">
            <thead><tr><th>Name</th><th>Slug</th><th>Your role</th><th>Created</th><th /></tr></thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.slug}>
                  <td>{renaming === p.slug ? (
                    <form onSubmit={(e) => {
                      e.preventDefault();
                      const value = new FormData(e.currentTarget).get("name");
                      rename.mutate({ slug: p.slug, name: String(value ?? "") }, { onSuccess: () => setRenaming(null) });
                    }}>
                      <input name="name" defaultValue={p.name} aria-label={`New name of ${p.slug}`} autoFocus />
                      <button type="submit" className="btn btn-small">Save</button>
                    </form>
                  ) : <Link to={`/p/${encodeURIComponent(p.slug)}/traces`}>{p.name}</Link>}{p.slug === current && <span className="badge">current</span>}</td>
                  <td className="mono">{p.slug}</td><td>{p.role}</td><td>{when(p.created_at)}</td>
                  <td>{canAdmin && p.slug === current && renaming !== p.slug &&
                    <button type="button" className="btn btn-small" onClick={() => setRenaming(p.slug)}>Rename</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Panel>
  );
}
