import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { isApiError } from "../api/errors";
import { errorText } from "../components/ErrorView";
import { safeNext, signIn } from "./session";

export default function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (err) {
      // the server's own words for what the user got wrong (bad password, throttled, invalid email)
      if (isApiError(err) && err.status >= 400 && err.status < 500) setError(err.message);
      else {
        const { title, detail } = errorText(err);
        setError(`${title}: ${detail}`);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand"><span className="brand-mark" aria-hidden="true">▲</span> PyFlare</div>
        <h1 id="login-title">Sign in</h1>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        <p className="muted small">Programs use project API keys instead (<code>X-API-Key</code>).</p>
      </form>
    </main>
  );
}
