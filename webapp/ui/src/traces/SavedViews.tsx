// Saved views in the explorer's header: open one (the URL becomes its query, so the link is
// shareable), save the current filters under a name (optionally shared with the project), delete
// one you may edit, copy a link that always opens the view as last saved (?view=<id>).
import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { CopyButton } from "../components/CopyButton";
import { stateOf, useSavedViewActions, useSavedViews, viewSearch } from "./savedViews";

export function SavedViews({ project }: { project: string }) {
  const [params, setParams] = useSearchParams();
  const views = useSavedViews(project);
  const { create, remove } = useSavedViewActions(project);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const viewId = Number(params.get("view") ?? NaN);
  const current = views.data?.find((v) => v.id === viewId);
  // a link naming only the view (?view=<id>) opens the view's saved query
  const onlyView = [...params.keys()].every((k) => k === "view") && params.has("view");
  useEffect(() => {
    if (onlyView && current) setParams(new URLSearchParams(viewSearch(current)), { replace: true });
  }, [onlyView, current, setParams]);
  const save = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), query: stateOf(params), shared }, {
      onSuccess: (view) => { setSaving(false); setName(""); setParams(new URLSearchParams(viewSearch(view))); },
    });
  };
  const link = current ? `${window.location.origin}/p/${encodeURIComponent(project)}/traces?view=${current.id}` : "";
  return (
    <div className="saved-views" data-testid="saved-views">
      <select aria-label="Saved views" value={current ? String(current.id) : ""}
        onChange={(e) => {
          const view = views.data?.find((v) => String(v.id) === e.target.value);
          if (view) setParams(new URLSearchParams(viewSearch(view)));
        }}>
        <option value="">{views.data?.length ? "Saved views…" : "No saved views"}</option>
        {views.data?.map((v) => (
          <option key={v.id} value={v.id}>{v.name}{v.shared ? " (shared)" : ""}</option>
        ))}
      </select>
      {onlyView && views.data && !current && <span className="muted small" role="alert">this view is not shared with you</span>}
      {current && <CopyButton text={link} label="Copy link" />}
      {current?.can_edit && (
        <button type="button" className="btn" disabled={remove.isPending}
          onClick={() => remove.mutate(current.id, { onSuccess: () => setParams(new URLSearchParams(stateOf(params))) })}>
          Delete view
        </button>
      )}
      {saving ? (
        <form className="save-view" onSubmit={save}>
          <input aria-label="View name" placeholder="name" value={name} maxLength={120} required autoFocus
            onChange={(e) => setName(e.target.value)} />
          <label className="small"><input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> shared</label>
          <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>Save</button>
          <button type="button" className="btn" onClick={() => setSaving(false)}>Cancel</button>
          {create.error && <span className="query-errors" role="alert">{create.error.message}</span>}
        </form>
      ) : (
        <button type="button" className="btn" onClick={() => setSaving(true)}>Save view</button>
      )}
    </div>
  );
}
