import { useState } from "preact/hooks";
import { api, settle, type FieldErrors } from "../api/client";
import type { SessionUser } from "../api/types";
import { linkClick, navigate } from "../router";
import { FieldError } from "../ui/fields";

export function LoginPage({ onSignedIn }: { onSignedIn: (user: SessionUser) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await settle(api.POST("/api/auth/session/", { body: { username, password } }));
    setBusy(false);
    if (result.ok) {
      const next = new URLSearchParams(location.search).get("next");
      onSignedIn(result.data);
      navigate(next && (next.startsWith("/projects") || next.startsWith("/reviews/") || next.startsWith("/invites/")) ? next : "/projects", true);
    } else if (result.kind === "invalid") setErrors(result.errors);
    else setErrors({ non_field_errors: [result.kind === "conflict" ? result.detail : result.message] });
  };

  return (
    <div class="login">
      <form class="login-card" onSubmit={submit} noValidate>
        <div class="brand brand-large"><span class="brand-mark">▣</span> Previs Studio</div>
        <p class="muted">Sign in to your productions.</p>
        {errors.non_field_errors && <div class="form-error" data-testid="login-error">{errors.non_field_errors.join(" ")}</div>}
        <label class="field">
          <span>Login</span>
          <input name="username" autocomplete="username" autofocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} aria-invalid={!!errors.username} />
          <FieldError messages={errors.username} />
        </label>
        <label class="field">
          <span>Password</span>
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!errors.password} />
          <FieldError messages={errors.password} />
        </label>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        <p class="muted small login-help">
          <a href="/reset" onClick={(e) => linkClick(e, "/reset")} data-testid="forgot-password">Forgot your password?</a>
          {" "}New here? Ask a project's owner or director for an invite: its link lets you make your login.
        </p>
      </form>
    </div>
  );
}
