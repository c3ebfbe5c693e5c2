// A failed request explained: what happened and what the user can do. A 401 never shows here
// (the shell sends the user to the login page).
import { isApiError } from "../api/errors";

export function errorText(error: unknown): { title: string; detail: string } {
  if (!isApiError(error)) return { title: "Something went wrong", detail: String(error) };
  switch (error.kind) {
    case "forbidden":
      return {
        title: "You do not have access",
        detail: error.permission
          ? `Your role in this project lacks the permission “${error.permission}”. Ask a project admin for it.`
          : error.message,
      };
    case "unavailable":
      return {
        title: "Storage is unavailable",
        detail: `The telemetry store did not answer; PyFlare keeps accepting data and this page will work again once it is back. (${error.message})`,
      };
    case "not_found":
      return { title: "Not found", detail: error.message };
    case "unauthenticated":
      return { title: "Signed out", detail: "Your session ended; sign in again." };
    case "network":
      return { title: "The server cannot be reached", detail: error.message };
    case "invalid":
      return { title: "The request was refused", detail: error.message };
    default:
      return { title: `Server error (${error.status})`, detail: error.message };
  }
}

export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, detail } = errorText(error);
  return (
    <div className="error-box" role="alert" data-testid="error-view">
      <p className="error-title">{title}</p>
      <p>{detail}</p>
      {onRetry && <button type="button" className="btn" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return <div className="loading" role="status" aria-live="polite"><span className="spinner" aria-hidden="true" />{what}…</div>;
}
