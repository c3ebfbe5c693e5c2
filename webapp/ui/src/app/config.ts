// Server facts injected into index.html by webapp.ui.views (not part of the API).
export interface ServerConfig {
  otlpHttpEndpoint: string;
}

export function serverConfig(): ServerConfig {
  const el = document.getElementById("pyflare-config");
  const fallback: ServerConfig = { otlpHttpEndpoint: `${location.protocol}//${location.hostname}:4318` };
  if (!el?.textContent) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(el.textContent) as Partial<ServerConfig>) };
  } catch {
    return fallback;
  }
}
