// Cost reads and budget writes through the typed client. Amounts are read tolerantly (toNumber):
// the API is moving from float dollars to exact decimal strings.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";

export type CostSummary = Schemas["CostSummary"];
export type CostGroup = Schemas["CostGroup"];
export type Budget = Schemas["Budget"];
export type BudgetRequest = Schemas["BudgetRequest"];
export type Dimension = "model" | "model_family" | "user" | "feature" | "team" | "environment";

export interface CostFilter { start_time: string; end_time: string; model_id?: string; model_family?: string }

type Q = Record<string, string | string[] | number>;

function query(filter: CostFilter): Q {
  const q: Q = { start_time: filter.start_time, end_time: filter.end_time };
  if (filter.model_id) q.model_id = filter.model_id;
  if (filter.model_family) q.model_family = filter.model_family;
  return q;
}

export function useCostSummary(project: string, filter: CostFilter) {
  return useQuery({
    queryKey: ["costs", project, "summary", filter],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs", {
      params: { query: { ...query(filter), group_by: ["day"], limit: 1000 } as never }, headers: inProject(project), signal,
    })),
  });
}

export function useBreakdown(project: string, filter: CostFilter, dimension: Dimension) {
  return useQuery({
    queryKey: ["costs", project, "breakdown", dimension, filter],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/breakdown", {
      params: { query: { ...query(filter), dimension, limit: 15 } as never }, headers: inProject(project), signal,
    })),
  });
}

export function useForecast(project: string, model_id?: string) {
  return useQuery({
    queryKey: ["costs", project, "forecast", model_id ?? ""],
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/forecast", {
      params: { query: { horizon_days: 14, history_days: 30, ...(model_id ? { model_id } : {}) } as never },
      headers: inProject(project), signal,
    })),
  });
}

export function useRecommendations(project: string, filter: CostFilter) {
  return useQuery({
    queryKey: ["costs", project, "recommendations", filter.start_time, filter.end_time],
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/recommendations", {
      params: { query: { start_time: filter.start_time, end_time: filter.end_time } as never }, headers: inProject(project), signal,
    })),
  });
}

export function useUnpriced(project: string, filter: CostFilter) {
  return useQuery({
    queryKey: ["costs", project, "unpriced", filter],
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/unpriced", {
      params: { query: query(filter) as never }, headers: inProject(project), signal,
    })),
  });
}

export function useBudgets(project: string) {
  return useQuery({
    queryKey: ["costs", project, "budgets"],
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/budgets", { headers: inProject(project), signal })),
  });
}

export function useBudgetStatus(project: string, id: number) {
  return useQuery({
    queryKey: ["costs", project, "budget-status", id],
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/budgets/{budget_id}/status", {
      params: { path: { budget_id: id } }, headers: inProject(project), signal,
    })),
  });
}

export function useBudgetAlerts(project: string, id: number, enabled: boolean) {
  return useQuery({
    queryKey: ["costs", project, "budget-alerts", id],
    enabled,
    queryFn: ({ signal }) => must(api.GET("/api/v1/costs/budgets/{budget_id}/alerts", {
      params: { path: { budget_id: id } }, headers: inProject(project), signal,
    })),
  });
}

export function useSaveBudget(project: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: BudgetRequest }) => id === undefined
      ? must(api.POST("/api/v1/costs/budgets", { body, headers: inProject(project) }))
      : must(api.PATCH("/api/v1/costs/budgets/{budget_id}", { params: { path: { budget_id: id } }, body, headers: inProject(project) })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["costs", project] }),
  });
}

export function useDeleteBudget(project: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => must(api.DELETE("/api/v1/costs/budgets/{budget_id}", {
      params: { path: { budget_id: id } }, headers: inProject(project),
    })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["costs", project, "budgets"] }),
  });
}

/** The CSV export: fetched with the session (the project header cannot ride on a plain link) and saved. */
export async function downloadCsv(project: string, filter: CostFilter): Promise<void> {
  const params = new URLSearchParams(query(filter) as Record<string, string>);
  params.append("group_by", "day");
  params.append("group_by", "model");
  const reply = await fetch(`/api/v1/costs/export?${params}`, { headers: inProject(project), credentials: "same-origin" });
  if (!reply.ok) throw new Error(`export failed: ${reply.status} ${await reply.text()}`);
  const url = URL.createObjectURL(await reply.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `pyflare-costs-${project}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
