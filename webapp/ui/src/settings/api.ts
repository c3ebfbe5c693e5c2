// Settings reads and writes: projects, members, API keys, notification channels.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";
import { ME_KEY } from "../auth/session";

export type Membership = Schemas["Membership"];
export type ApiKey = Schemas["ApiKey"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type Channel = Schemas["Channel"];
export type Role = Schemas["RoleEnum"];
export const ROLES: Role[] = ["admin", "developer", "operator", "viewer"];

function useWrite<A, R>(keys: unknown[][], fn: (a: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))) });
}

export const useProjects = () => useQuery({
  queryKey: ["settings", "projects"],
  queryFn: ({ signal }) => must(api.GET("/api/v1/projects", { signal })),
});

export const useCreateProject = () => useWrite([["settings", "projects"], [...ME_KEY]],
  (body: { slug: string; name: string }) => must(api.POST("/api/v1/projects", { body })));

export const useRenameProject = () => useWrite([["settings", "projects"], [...ME_KEY]],
  ({ slug, name }: { slug: string; name: string }) => must(api.PATCH("/api/v1/projects/{slug}", { params: { path: { slug } }, body: { name } })));

export const useMembers = (project: string) => useQuery({
  queryKey: ["settings", project, "members"],
  queryFn: ({ signal }) => must(api.GET("/api/v1/members", { headers: inProject(project), signal })),
});

export const useAddMember = (project: string) => useWrite([["settings", project, "members"]],
  (body: { email: string; role: Role }) => must(api.POST("/api/v1/members", { body, headers: inProject(project) })));

export const useChangeRole = (project: string) => useWrite([["settings", project, "members"]],
  ({ id, role }: { id: number; role: Role }) => must(api.PATCH("/api/v1/members/{id}", { params: { path: { id } }, body: { role }, headers: inProject(project) })));

export const useRemoveMember = (project: string) => useWrite([["settings", project, "members"]],
  (id: number) => must(api.DELETE("/api/v1/members/{id}", { params: { path: { id } }, headers: inProject(project) })));

export const useApiKeys = (project: string, enabled: boolean) => useQuery({
  queryKey: ["settings", project, "keys"],
  enabled,
  queryFn: ({ signal }) => must(api.GET("/api/v1/api-keys", { headers: inProject(project), signal })),
});

export const useCreateKey = (project: string) => useWrite([["settings", project, "keys"]],
  (body: { name: string; role: Role; expires_at?: string }) => must(api.POST("/api/v1/api-keys", { body, headers: inProject(project) })));

export const useRevokeKey = (project: string) => useWrite([["settings", project, "keys"]],
  (id: number) => must(api.POST("/api/v1/api-keys/{id}/revoke", { params: { path: { id } }, headers: inProject(project) })));

export const useChannels = (project: string, enabled: boolean) => useQuery({
  queryKey: ["settings", project, "channels"],
  enabled,
  queryFn: ({ signal }) => must(api.GET("/api/v1/notification-channels", { headers: inProject(project), signal })),
});

type ChannelBody = { name: string; url: string; enabled: boolean };

export const useSaveChannel = (project: string) => useWrite([["settings", project, "channels"]],
  ({ id, body }: { id?: number; body: ChannelBody }) => id === undefined
    ? must(api.POST("/api/v1/notification-channels", { body: { ...body, kind: "webhook" }, headers: inProject(project) }))
    : must(api.PATCH("/api/v1/notification-channels/{channel_id}", { params: { path: { channel_id: id } }, body, headers: inProject(project) })));

export const useDeleteChannel = (project: string) => useWrite([["settings", project, "channels"]],
  (id: number) => must(api.DELETE("/api/v1/notification-channels/{channel_id}", { params: { path: { channel_id: id } }, headers: inProject(project) })));

export const useTestChannel = (project: string) => useMutation({
  mutationFn: (id: number) => must(api.POST("/api/v1/notification-channels/{channel_id}/test", {
    params: { path: { channel_id: id } }, headers: inProject(project),
  })),
});
