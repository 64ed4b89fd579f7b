// Password reset: /reset asks for the login's email (the answer is the same whether or not a
// login uses it); the emailed link opens /reset/<uid>/<token>, which sets a new password under the
// server's password rules.
import { useState } from "preact/hooks";
import { api, settle, type FieldErrors } from "../api/client";
import { linkClick } from "../router";
import { FieldError } from "../ui/fields";

function Card({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="login">
      <div class="login-card">
        <div class="brand brand-large"><span class="brand-mark">▣</span> Previs Studio</div>
        {children}
        <p class="muted small"><a href="/login" onClick={(e) => linkClick(e, "/login")}>Back to sign in</a></p>
      </div>
    </div>
  );
}

function messages(result: { kind: string; errors?: FieldErrors; message?: string }): FieldErrors {
  return result.kind === "invalid" ? result.errors ?? {} : { non_field_errors: [result.message ?? "The server refused this."] };
}

export function ResetRequestPage() {
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sent, setSent] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await settle(api.POST("/api/auth/password-reset/", { body: { email } }));
    if (result.ok) setSent(result.data.detail);
    else setErrors(messages(result));
  };

  return (
    <Card>
      <h1 class="login-title">Forgot your password?</h1>
      {sent ? <p data-testid="reset-sent">{sent}</p> : (
        <form onSubmit={submit} noValidate>
          <p class="muted">We email a link to set a new one to the address of your login.</p>
          {errors.non_field_errors && <div class="form-error">{errors.non_field_errors.join(" ")}</div>}
          <label class="field"><span>Email</span>
            <input name="email" type="email" autocomplete="email" autofocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={!!errors.email} />
            <FieldError messages={errors.email} /></label>
          <button class="btn btn-primary btn-block" type="submit" data-testid="reset-request">Email me a link</button>
        </form>
      )}
    </Card>
  );
}

export function ResetPage({ uid, token }: { uid: string; token: string }) {
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await settle(api.POST("/api/auth/password-reset/confirm/", { body: { uid, token, password } }));
    if (result.ok) setDone(result.data.detail);
    else setErrors(messages(result));
  };

  return (
    <Card>
      <h1 class="login-title">Set a new password</h1>
      {done ? <p data-testid="reset-done">{done} <a href="/login" onClick={(e) => linkClick(e, "/login")}>Sign in</a></p> : (
        <form onSubmit={submit} noValidate>
          {(errors.token || errors.uid || errors.non_field_errors) && (
            <div class="form-error" data-testid="reset-error">
              {[...(errors.token ?? []), ...(errors.uid ?? []), ...(errors.non_field_errors ?? [])].join(" ")}{" "}
              <a href="/reset" onClick={(e) => linkClick(e, "/reset")}>Ask for a new link</a>
            </div>
          )}
          <label class="field"><span>New password</span>
            <input name="password" type="password" autocomplete="new-password" autofocus value={password} onInput={(e) => setPassword(e.currentTarget.value)}
              aria-invalid={!!errors.password} aria-describedby="password-rules" />
            <span class="muted small" id="password-rules">At least 8 characters, not a common password, not like your login or email.</span>
            <FieldError messages={errors.password} /></label>
          <button class="btn btn-primary btn-block" type="submit" data-testid="reset-submit">Set password</button>
        </form>
      )}
    </Card>
  );
}
