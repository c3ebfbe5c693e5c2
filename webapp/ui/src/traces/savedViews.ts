// Saved views of the explorer: a name for the URL query state, the user's own or shared in the project.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";

export type SavedView = Schemas["SavedView"];

/** The explorer URL that opens `view` (its query plus its id, so the page names it). */
export function viewSearch(view: Pick<SavedView, "id" | "query">): string {
  const params = new URLSearchParams(view.query);
  params.set("view", String(view.id));
  return params.toString();
}

/** The URL query without the view id: what a saved view stores. */
export function stateOf(search: URLSearchParams): string {
  const params = new URLSearchParams(search);
  params.delete("view");
  return params.toString();
}

export function useSavedViews(project: string) {
  return useQuery({
    queryKey: ["trace-views", project],
    queryFn: ({ signal }) => must(api.GET("/api/v1/traces/views", { headers: inProject(project), signal })),
  });
}

export function useSavedViewActions(project: string) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ["trace-views", project] });
  const create = useMutation({
    mutationFn: (body: { name: string; query: string; shared: boolean }) =>
      must(api.POST("/api/v1/traces/views", { body: body as Schemas["SavedViewRequest"], headers: inProject(project) })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: number) => must(api.DELETE("/api/v1/traces/views/{view_id}", {
      params: { path: { view_id: id } }, headers: inProject(project),
    })),
    onSuccess: refresh,
  });
  return { create, remove };
}
