// Alerting reads and writes through the typed client: alerts (acknowledge, resolve), rules and their
// preview, silences, maintenance windows. Every write refreshes the alerting queries of the project.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";
import type { RuleBody } from "./ruleForm";

export type Alert = Schemas["Alert"];
export type Rule = Schemas["Rule"];
export type Silence = Schemas["Silence"];
export type MaintenanceWindow = Schemas["MaintenanceWindow"];
export type RulePreview = Schemas["RulePreview"];

export interface AlertFilter { status: string; severity?: string; model_id?: string; rule_id?: string }

export function useAlerts(project: string, filter: AlertFilter) {
  const query: Record<string, string | number> = { status: filter.status, limit: 500 };
  if (filter.severity) query.severity = filter.severity;
  if (filter.model_id) query.model_id = filter.model_id;
  if (filter.rule_id) query.rule_id = filter.rule_id;
  return useQuery({
    queryKey: ["alerting", project, "alerts", query],
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
    queryFn: ({ signal }) => must(api.GET("/api/v1/alerts", { params: { query: query as never }, headers: inProject(project), signal })),
  });
}

function useWrite<V, T>(project: string, call: (v: V) => Promise<T>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: () => client.invalidateQueries({ queryKey: ["alerting", project] }) });
}

/** The alert's state changes and notifications (alert_events), fetched when its row is opened. */
export const useAlertHistory = (project: string, id: number) => useQuery({
  queryKey: ["alerting", project, "history", id],
  queryFn: ({ signal }) => must(api.GET("/api/v1/alerts/{alert_id}/history", { params: { path: { alert_id: id } }, headers: inProject(project), signal })),
});

export const useAcknowledge = (project: string) => useWrite(project, (id: number) =>
  must(api.POST("/api/v1/alerts/{alert_id}/acknowledge", { params: { path: { alert_id: id } }, headers: inProject(project) })));

export const useResolve = (project: string) => useWrite(project, (id: number) =>
  must(api.POST("/api/v1/alerts/{alert_id}/resolve", { params: { path: { alert_id: id } }, headers: inProject(project) })));

export const useRules = (project: string) => useQuery({
  queryKey: ["alerting", project, "rules"],
  queryFn: ({ signal }) => must(api.GET("/api/v1/alerts/rules", { headers: inProject(project), signal })),
});

export const useSaveRule = (project: string) => useWrite(project, ({ id, body }: { id?: number; body: RuleBody }) => id === undefined
  ? must(api.POST("/api/v1/alerts/rules", { body: body as never, headers: inProject(project) }))
  : must(api.PUT("/api/v1/alerts/rules/{rule_id}", { params: { path: { rule_id: id } }, body: body as never, headers: inProject(project) })));

export const useDeleteRule = (project: string) => useWrite(project, (id: number) =>
  must(api.DELETE("/api/v1/alerts/rules/{rule_id}", { params: { path: { rule_id: id } }, headers: inProject(project) })));

/** The rule's metric over the last day for an unsaved config (refetched when the config changes). */
export function usePreview(project: string, rule_type: string, config: Record<string, unknown> | null) {
  return useQuery({
    queryKey: ["alerting", project, "preview", rule_type, config],
    enabled: config !== null && rule_type !== "composite",
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: ({ signal }) => must(api.POST("/api/v1/alerts/rules/preview", {
      body: { rule_type, config } as never, headers: inProject(project), signal,
    })),
  });
}

export const useSilences = (project: string) => useQuery({
  queryKey: ["alerting", project, "silences"],
  queryFn: ({ signal }) => must(api.GET("/api/v1/alerts/silences", { headers: inProject(project), signal })),
});

export interface SilenceBody { matchers: string[]; starts_at?: string; ends_at: string; comment: string }

export const useCreateSilence = (project: string) => useWrite(project, (body: SilenceBody) =>
  must(api.POST("/api/v1/alerts/silences", { body: body as never, headers: inProject(project) })));

export const useExpireSilence = (project: string) => useWrite(project, (id: number) =>
  must(api.POST("/api/v1/alerts/silences/{id}/expire", { params: { path: { id, pk: id } }, headers: inProject(project) })));

export const useWindows = (project: string) => useQuery({
  queryKey: ["alerting", project, "maintenance"],
  queryFn: ({ signal }) => must(api.GET("/api/v1/alerts/maintenance", { headers: inProject(project), signal })),
});

export interface WindowBody {
  name: string; model_ids: string[]; timezone: string; enabled: boolean;
  starts_at?: string | null; ends_at?: string | null; weekdays?: number[]; times?: string[][];
}

export const useCreateWindow = (project: string) => useWrite(project, (body: WindowBody) =>
  must(api.POST("/api/v1/alerts/maintenance", { body: body as never, headers: inProject(project) })));

export const useDeleteWindow = (project: string) => useWrite(project, (id: number) =>
  must(api.DELETE("/api/v1/alerts/maintenance/{id}", { params: { path: { id } }, headers: inProject(project) })));
