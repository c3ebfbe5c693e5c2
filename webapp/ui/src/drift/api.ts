// Drift reads (monitors, status, latest features, history) and monitor configuration.
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, inProject, must, type Schemas } from "../api/client";

export type Monitor = Schemas["Monitor"];
export type DriftStatus = Schemas["DriftStatus"];
export type FeatureScore = Schemas["FeatureScore"];
export type MonitorRequest = Schemas["MonitorRequest"];
export type ReferenceUpload = Schemas["ReferenceUploadRequest"];

const path = (model: string) => ({ path: { model_id: model } });

export function useMonitors(project: string) {
  return useQuery({
    queryKey: ["drift", project, "monitors"],
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift", { headers: inProject(project), signal })),
  });
}

export function useDriftStatus(project: string, model: string) {
  return useQuery({
    queryKey: ["drift", project, model, "status"],
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift/{model_id}", { params: path(model), headers: inProject(project), signal })),
  });
}

export function useFeatureScores(project: string, model: string) {
  return useQuery({
    queryKey: ["drift", project, model, "features"],
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift/{model_id}/features", { params: path(model), headers: inProject(project), signal })),
  });
}

export function useHistory(project: string, model: string) {
  return useQuery({
    queryKey: ["drift", project, model, "history"],
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift/{model_id}/history", {
      params: { ...path(model), query: { limit: 2000 } as never }, headers: inProject(project), signal,
    })),
  });
}

/** Each feature's own history (the model-level history has no per-feature rows), for the heatmap. */
export function useFeatureHistories(project: string, model: string, features: string[]) {
  return useQueries({
    queries: features.slice(0, MAX_HEATMAP_FEATURES).map((feature) => ({
      queryKey: ["drift", project, model, "history", feature],
      queryFn: ({ signal }: { signal: AbortSignal }) => must(api.GET("/api/v1/drift/{model_id}/history", {
        params: { ...path(model), query: { feature, drift_type: "feature", limit: 40 } as never }, headers: inProject(project), signal,
      })),
    })),
    combine: (results) => ({
      points: results.flatMap((r) => r.data?.points ?? []),
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.isError)?.error ?? null,
    }),
  });
}

export const MAX_HEATMAP_FEATURES = 30;

export function useMonitor(project: string, model: string, enabled = true) {
  return useQuery({
    queryKey: ["drift", project, model, "monitor"],
    enabled,
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift/{model_id}/monitor", { params: path(model), headers: inProject(project), signal })),
  });
}

export function useReference(project: string, model: string) {
  return useQuery({
    queryKey: ["drift", project, model, "reference"],
    retry: false,
    queryFn: ({ signal }) => must(api.GET("/api/v1/drift/{model_id}/reference", { params: path(model), headers: inProject(project), signal })),
  });
}

function useInvalidate(project: string) {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ["drift", project] });
}

export function useSaveMonitor(project: string) {
  const done = useInvalidate(project);
  return useMutation({
    mutationFn: ({ model, body }: { model: string; body: MonitorRequest }) =>
      must(api.PUT("/api/v1/drift/{model_id}/monitor", { params: path(model), body, headers: inProject(project) })),
    onSuccess: done,
  });
}

export function useUploadReference(project: string) {
  const done = useInvalidate(project);
  return useMutation({
    mutationFn: ({ model, body }: { model: string; body: ReferenceUpload }) =>
      must(api.POST("/api/v1/drift/{model_id}/reference", { params: path(model), body, headers: inProject(project) })),
    onSuccess: done,
  });
}

export function useRunNow(project: string) {
  const done = useInvalidate(project);
  return useMutation({
    mutationFn: (model: string) => must(api.POST("/api/v1/drift/{model_id}/run", { params: path(model), body: {}, headers: inProject(project) })),
    onSuccess: done,
  });
}
